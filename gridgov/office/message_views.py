"""Pages of messages between staff. New messages reach an open page by polling the API (see
static/office/messages.js); without script the page still works by reloading."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov.areas.models import Area
from gridgov.office import files
from gridgov.office.models import ShareKind
from gridgov.office.presenters import conversation_title, present
from gridgov.office.services import messages as chat


def _errors(exc) -> str:
    return " ".join(getattr(exc, "messages", [str(exc)]))


@login_required
def inbox(request):
    user = request.user
    unread = chat.unread_by_conversation(user)
    rows = list(chat.conversations_for(user)[:100])
    for c in rows:
        c.display_title = conversation_title(c, user)
        c.unread = unread.get(c.pk, 0)
    return render(
        request,
        "office/inbox.html",
        {
            "nav": "office",
            "tab": "messages",
            "conversations": rows,
            "channels": chat.home_channels(user),
            "people": chat.reachable_users(user).order_by("username")[:300],
        },
    )


@login_required
@require_POST
def conversation_new(request):
    wanted = [v for v in request.POST.getlist("members") if v.isascii() and v.isdigit()][:300]
    others = list(chat.reachable_users(request.user).filter(pk__in=wanted))
    try:
        if len(others) != len(set(wanted)):
            raise ValidationError(_("Some of these people are outside your reach."))
        conv = chat.start_conversation(
            acting_user=request.user, others=others, title=request.POST.get("title", "")
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("office:inbox")
    return redirect("office:conversation", pk=conv.pk)


@login_required
def channel(request, code: str):
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise Http404
    conv = chat.area_channel(area, acting_user=request.user)
    return redirect("office:conversation", pk=conv.pk)


@login_required
def conversation(request, pk: int):
    conv = chat.get_conversation_for_user(request.user, pk)
    rows = chat.messages_of(conv)
    chat.mark_read(conv, acting_user=request.user)
    items = [present(m, request.user) for m in rows]
    return render(
        request,
        "office/conversation.html",
        {
            "nav": "office",
            "tab": "messages",
            "conv": conv,
            "title": conversation_title(conv, request.user),
            "items": items,
            "last_id": rows[-1].pk if rows else 0,
            "share_kinds": ShareKind.choices,
            "poll_seconds": settings.GRIDGOV_OFFICE_POLL_SECONDS,
        },
    )


@login_required
@require_POST
def send(request, pk: int):
    conv = chat.get_conversation_for_user(request.user, pk)
    post = request.POST
    background = request.headers.get("Accept") == "application/json"
    try:
        share = None
        if post.get("share_kind"):
            share_id = post.get("share_id", "").strip()
            if not (share_id.isascii() and share_id.isdigit() and 0 < int(share_id) < 2**63):
                raise ValidationError({"share": _("Give the record's number.")})
            share = (post["share_kind"], int(share_id))
        chat.send_message(
            conv,
            acting_user=request.user,
            body=post.get("body", ""),
            files=files.from_request(request),
            share=share,
        )
    except ValidationError as exc:
        if background:  # the page's script keeps what was typed and shows why
            return JsonResponse({"message": _errors(exc)}, status=400)
        messages.error(request, _errors(exc))
    if background:
        return HttpResponse(status=204)
    return redirect("office:conversation", pk=conv.pk)
