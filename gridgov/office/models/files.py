from django.conf import settings
from django.db import models


class OfficeFile(models.Model):
    """An attachment of a notice, a document or a message: a checked picture (stored without its
    metadata) or a PDF. Served only to those who may read what it is attached to."""

    notice = models.ForeignKey(
        "office.Notice", null=True, blank=True, on_delete=models.CASCADE, related_name="files"
    )
    document = models.ForeignKey(
        "office.Document", null=True, blank=True, on_delete=models.CASCADE, related_name="files"
    )
    message = models.ForeignKey(
        "office.StaffMessage",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="files",
    )
    file = models.FileField(upload_to="office/%Y/%m/")
    thumbnail = models.FileField(upload_to="office/thumb/%Y/%m/", blank=True)
    name = models.CharField(max_length=150)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf"
