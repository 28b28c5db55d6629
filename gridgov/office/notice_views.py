"""Pages of notices and work dynamics: the list (desk and phone), publishing, reading, signing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gridgov.accounts.models import User
from gridgov.areas import queries as area_queries
from gridgov.areas.models import Level
from gridgov.office import files, queries
from gridgov.office.forms import NoticeForm
from gridgov.office.models import NoticeKind, NoticeReceipt
from gridgov.office.services import messages as chat
from gridgov.office.services import notices
from gridgov.office.services.rights import OFFICE_ROLES, may_run_office


def may_publish(user) -> bool:
    return user.role in OFFICE_ROLES or user.is_superuser


@login_required
def notice_list(request):
    kind = request.GET.get("kind", "")
    if kind and kind not in NoticeKind.values:
        raise Http404
    rows = queries.notices_for(request.user, kind=kind, within=request.GET.get("area", "").strip())
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    ids = [n.pk for n in page]
    mine = queries.my_receipts(request.user, ids)
    counts = queries.signed_counts(ids)
    for n in page:
        n.receipt = mine.get(n.pk)
        n.counts = counts.get(n.pk, {})
    return render(
        request,
        "office/notices.html",
        {
            "nav": "office",
            "tab": "notices",
            "page": page,
            "kind": kind,
            "kinds": NoticeKind.choices,
            "may_publish": may_publish(request.user),
            "area_choices": area_queries.picker_choices(request.user),
        },
    )


@login_required
def phone_home(request):
    """The phone page: notices to read and sign, documents to sign, unread conversations."""
    rows = list(queries.notices_for(request.user)[:20])
    mine = queries.my_receipts(request.user, [n.pk for n in rows])
    for n in rows:
        n.receipt = mine.get(n.pk)
    return render(
        request,
        "office/phone.html",
        {
            "nav": "office",
            "notices": rows,
            "unread": chat.unread_total(request.user),
            "unsigned": queries.unsigned_count(request.user),
            "to_sign": queries.to_sign_count(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def notice_new(request):
    if not may_publish(request.user):
        raise PermissionDenied(_("Only an office may publish notices."))
    form = NoticeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise ValidationError(_("Check the form."))
            area = area_queries.get_area_for_user(request.user, form.cleaned_data["area"])
            notice = notices.publish_notice(
                acting_user=request.user,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                area=area,
                roles=form.cleaned_data["roles"],
                requires_ack=form.cleaned_data["requires_ack"],
                files=files.from_request(request),
            )
        except Http404:
            messages.error(request, _("No such area in your scope."))
            status = 400
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            status = 400
        else:
            messages.success(
                request, _("Published to %(n)d people.") % {"n": notice.recipient_count}
            )
            return redirect("office:notice", pk=notice.pk)
    areas = list(
        area_queries.areas_for(request.user)
        .active()
        .filter(level__in=[Level.DISTRICT, Level.STREET, Level.COMMUNITY])
        .order_by("code")[:300]
    )
    return render(
        request,
        "office/notice_new.html",
        {"nav": "office", "tab": "notices", "form": form, "areas": areas},
        status=status,
    )


@login_required
def notice_detail(request, pk: int):
    notice = queries.get_notice_for_user(request.user, pk)
    notices.mark_notice_read(notice, acting_user=request.user)
    receipt = NoticeReceipt.objects.filter(notice=notice, user=request.user).first()
    is_office = may_run_office(request.user, notice.area_code)
    context = {
        "nav": "office",
        "tab": "notices",
        "notice": notice,
        "receipt": receipt,
        "files": notice.files.all(),
        "is_office": is_office,
    }
    if is_office:
        receipts = NoticeReceipt.objects.filter(notice=notice)
        names = dict(
            User.objects.filter(pk__in=receipts.values("user_id")).values_list("pk", "full_name")
        )
        rows = list(receipts.order_by("acked_at", "id"))
        for r in rows:
            r.name = names.get(r.user_id, "")
        context["signed"] = [r for r in rows if r.acked_at]
        context["unsigned"] = [r for r in rows if not r.acked_at]
        context["read_count"] = sum(1 for r in rows if r.read_at)
    return render(request, "office/notice_detail.html", context)


@login_required
@require_POST
def notice_ack(request, pk: int):
    notice = queries.get_notice_for_user(request.user, pk)
    try:
        notices.acknowledge_notice(notice, acting_user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("Signed for."))
    return redirect("office:notice", pk=notice.pk)


@login_required
@require_POST
def notice_remind(request, pk: int):
    notice = queries.get_notice_for_user(request.user, pk)
    try:
        n = notices.remind_unsigned(
            notice, acting_user=request.user, sms=request.POST.get("sms") == "1"
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("Reminded %(n)d people.") % {"n": n})
    return redirect("office:notice", pk=notice.pk)
