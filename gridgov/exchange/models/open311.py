"""Open311 GeoReport v2: the token a client gets for each POSTed request. The token resolves to
the case's service_request_id once the request has become a case (at once when the core takes
it directly; later when it is relayed), and it keeps a client's retries from making two cases."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Open311Token"]


class Open311Token(models.Model):
    token = models.CharField(max_length=40, unique=True)
    client = models.ForeignKey(
        "exchange.ClientSystem", on_delete=models.PROTECT, related_name="open311_tokens"
    )
    # What makes a retry the same request: the client's Idempotency-Key, or a digest of the post.
    request_key = models.CharField(max_length=64)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 token")
        constraints = [
            models.UniqueConstraint(fields=["client", "request_key"], name="open311_token_once")
        ]

    def __str__(self) -> str:
        return self.token
