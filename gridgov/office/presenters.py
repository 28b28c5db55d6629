"""Messages and conversations as a reader sees them, for the pages and the API alike."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.office import shares
from gridgov.office.models import ConversationKind, ConversationMember, ShareKind


def conversation_title(conv, user) -> str:
    if conv.kind == ConversationKind.DIRECT:
        other = (
            ConversationMember.objects.filter(conversation=conv)
            .exclude(user=user)
            .select_related("user")
            .first()
        )
        return other.user.display_name if other else _("Conversation")
    return conv.title


def file_dict(f) -> dict:
    """An attachment for the pages and the API: its page URLs and its API downloads."""
    return {
        "id": f.pk,
        "name": f.name,
        "is_image": f.is_image,
        "content_type": f.content_type,
        "size": f.size,
        "url": reverse("office:file", args=[f.pk, "file"]),
        "thumbnail": reverse("office:file", args=[f.pk, "thumbnail"]) if f.thumbnail else "",
        "download": f"/api/v1/office/files/{f.pk}",
        "download_thumbnail": f"/api/v1/office/files/{f.pk}/thumbnail" if f.thumbnail else "",
    }


def present(message, user) -> dict:
    """A message as a reader sees it (the shared record only when the reader may see it)."""
    share = None
    if message.share_kind:
        link = shares.resolve(user, message.share_kind, message.share_id)
        share = {
            "kind": link.kind,
            "kind_label": str(ShareKind(link.kind).label),
            "available": link.available,
            "label": link.label if link.available else _("not available to you"),
            "url": link.url if link.available else "",
        }
    local = timezone.localtime(message.sent_at)
    return {
        "id": message.pk,
        "sender": message.sender_name,
        "mine": message.sender_id == user.pk,
        "body": message.body,
        "sent_at": local.isoformat(),
        "time": local.strftime("%m-%d %H:%M"),
        "files": [file_dict(f) for f in message.files.all()],
        "share": share,
    }
