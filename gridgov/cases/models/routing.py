from django.db import models
from django.utils.translation import gettext_lazy as _


class RoutingRule(models.Model):
    """Class (or its major class, or any) + area (a code prefix, or any) → department.
    The most specific rule wins: a longer area prefix first, then a minor class over a major one."""

    category = models.ForeignKey("cases.Category", null=True, blank=True, on_delete=models.CASCADE)
    area_prefix = models.CharField(_("area code prefix"), max_length=20, blank=True)
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.CASCADE, related_name="routing_rules"
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-area_prefix", "category__code"]

    def __str__(self) -> str:
        return f"{self.category or '*'} @ {self.area_prefix or '*'} → {self.department}"
