"""Models of the mobile part."""

from django.conf import settings
from django.db import models


class Upload(models.Model):
    """A file the phone sends in chunks, so that an upload cut by a weak signal goes on from the
    last chunk the server acknowledged instead of from the start. The phone names it (a UUID kept
    in its outbox); it belongs to the user who started it and is used once, by an attachment
    endpoint (a case photo or voice note), then removed."""

    id = models.UUIDField(primary_key=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="uploads"
    )
    size = models.PositiveIntegerField()
    received = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.id} {self.received}/{self.size}"

    @property
    def complete(self) -> bool:
        return self.received == self.size
