"""Attachments, served only to those who may read what they are attached to. PDFs open inline in
the browser's own viewer, framed only by our pages; nothing else is ever rendered inline."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.views.decorators.clickjacking import xframe_options_sameorigin

from gridgov.office import queries
from gridgov.office.models import OfficeFile
from gridgov.office.services.messages import get_conversation_for_user

# The PDF's own answer: no script, no plugin of ours, framed only by pages of this site.
PDF_POLICY = (
    "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; frame-ancestors 'self'"
)


def get_file_for_user(user, pk: int) -> OfficeFile:
    item = OfficeFile.objects.filter(pk=pk).first()
    if item is None:
        raise Http404
    if item.notice_id:
        queries.get_notice_for_user(user, item.notice_id)
    elif item.document_id:
        queries.get_document_for_user(user, item.document_id)
    elif item.message_id:
        get_conversation_for_user(user, item.message.conversation_id)
    else:
        raise Http404
    return item


@login_required
@xframe_options_sameorigin
def attachment(request, pk: int, variant: str):
    if variant not in ("file", "thumbnail"):
        raise Http404
    return serve(get_file_for_user(request.user, pk), variant)


def serve(item: OfficeFile, variant: str) -> FileResponse:
    """The file (or its thumbnail) of an attachment the caller may read: the page's and the
    API's download alike."""
    if variant == "thumbnail":
        if not item.thumbnail:
            raise Http404
        response = FileResponse(item.thumbnail.open("rb"), content_type="image/jpeg")
    else:
        inline = item.is_pdf or item.is_image
        response = FileResponse(
            item.file.open("rb"),
            content_type=item.content_type if inline else "application/octet-stream",
            as_attachment=not inline,
            filename=item.name,
        )
    response["X-Content-Type-Options"] = "nosniff"
    if item.is_pdf:
        response["Content-Security-Policy"] = PDF_POLICY
    response["Cache-Control"] = "private, max-age=3600"
    return response
