"""The SMS platform's pages (短信平台): compose with a cost preview, the folders, templates,
groups, the opt-out list, statistics and the log. Thin: forms in sms_forms, changes in
notify.sms_services, reads through the scope."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import get_for_user, restrict, user_may
from gridgov.masking import mask_phone
from gridgov.notify import sms_services, sms_stats
from gridgov.notify.filters import SmsBatchFilter, SmsLogFilter
from gridgov.notify.models import (
    BatchState,
    OptOut,
    Outbox,
    SmsGroup,
    SmsTemplate,
)
from gridgov.notify.outbox import look_up_phones
from gridgov.notify.sms_forms import ComposeForm, GroupForm, OptOutForm, TemplateForm


def _may_use(user) -> None:
    if not user_may(user, Action.CHANGE):
        raise Http404


def _page(request, template: str, tab: str, **context):
    gateway = settings.GRIDGOV_SMS_GATEWAY
    return render(
        request,
        f"notify/sms/{template}",
        {"nav": "sms", "tab": tab, "gateway": gateway, **context},
    )


def _refused(request, exc: Exception) -> None:
    text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    messages.error(request, text or _("You may not do this here."))


@login_required
def folder(request):
    _may_use(request.user)
    listed = SmsBatchFilter(request.GET, request.user)
    page = Paginator(listed.page_rows(), 30).get_page(request.GET.get("page"))
    return _page(request, "folder.html", "folders", page=page, folder=listed.chosen())


@login_required
def compose(request, pk: int | None = None):
    _may_use(request.user)
    batch = sms_services.get_batch_for_user(request.user, pk) if pk else None
    if batch is not None and batch.state != BatchState.DRAFT:
        return redirect("notify:sms_batch", pk=batch.pk)
    initial = ComposeForm.initial_from(batch) if batch else {}
    form = ComposeForm(request.user, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            batch = sms_services.save_batch(request.user, batch, **form.values())
            if "send" in request.POST:
                sms_services.send_batch(request.user, batch)
                messages.success(
                    request, _("Queued for %(n)s recipients.") % {"n": batch.recipient_count}
                )
                return redirect("notify:sms_batch", pk=batch.pk)
            messages.success(request, _("Saved as a draft."))
            return redirect("notify:sms_draft", pk=batch.pk)
        except (ValidationError, PermissionDenied) as exc:
            _refused(request, exc)
    return _page(request, "compose.html", "compose", form=form, batch=batch)


@login_required
def preview(request):
    """The cost preview of a text: encoding, parts, and (given the recipients) the total."""
    _may_use(request.user)
    text = request.GET.get("text", "")[:2000]
    template_id = request.GET.get("template", "")
    if template_id.isdigit():
        template = restrict(SmsTemplate.objects.all(), request.user).filter(pk=template_id).first()
        if template is not None:
            text = f"【{template.signature}】{template.body}"
    count = request.GET.get("recipients", "1")
    return JsonResponse(sms_services.cost(text, int(count) if count.isdigit() else 1))


@login_required
def batch_detail(request, pk: int):
    _may_use(request.user)
    batch = sms_services.get_batch_for_user(request.user, pk)
    rows = Outbox.objects.filter(batch=batch).order_by("id")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    look_up_phones(list(page))
    for row in page:
        row.shown = mask_phone(row.destination)
    return _page(request, "batch.html", "folders", batch=batch, page=page)


@login_required
@require_POST
def batch_file(request, pk: int, action: str):
    _may_use(request.user)
    batch = sms_services.get_batch_for_user(request.user, pk)
    try:
        sms_services.file_batch(request.user, batch, action)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    return redirect("notify:sms_batch", pk=batch.pk)


@login_required
def templates(request):
    _may_use(request.user)
    form = TemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sms_services.save_template(request.user, **form.cleaned_data)
            messages.success(request, _("The template awaits approval by the level above."))
            return redirect("notify:sms_templates")
        except (ValidationError, PermissionDenied) as exc:
            _refused(request, exc)
    rows = restrict(SmsTemplate.objects.select_related("created_by", "decided_by"), request.user)
    return _page(request, "templates.html", "templates", form=form, templates=rows)


@login_required
@require_POST
def template_decide(request, pk: int):
    _may_use(request.user)
    template = get_for_user(SmsTemplate.objects.all(), request.user, pk=pk)
    try:
        sms_services.decide_template(
            request.user, template, approve=request.POST.get("approve") == "1"
        )
    except PermissionDenied as exc:
        _refused(request, exc)
    return redirect("notify:sms_templates")


@login_required
def groups(request):
    _may_use(request.user)
    form = GroupForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = sms_services.save_group(request.user, **form.values())
            return redirect("notify:sms_group", pk=group.pk)
        except (ValidationError, PermissionDenied) as exc:
            _refused(request, exc)
    rows = restrict(SmsGroup.objects.all(), request.user)
    return _page(request, "groups.html", "groups", form=form, groups=rows)


@login_required
def group_detail(request, pk: int):
    _may_use(request.user)
    group = get_for_user(SmsGroup.objects.all(), request.user, pk=pk)
    initial = {
        "name": group.name,
        "kind": group.kind,
        "users": list(group.users.values_list("pk", flat=True)),
        "contacts": "\n".join(f"{c.name}, {c.phone}" for c in group.contacts.all()),
        "area": group.query.get("area", ""),
        "role": group.query.get("role", ""),
        "force_type": group.query.get("force_type", ""),
    }
    form = GroupForm(request.user, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            sms_services.save_group(request.user, group, **form.values())
            messages.success(request, _("Saved."))
            return redirect("notify:sms_group", pk=group.pk)
        except (ValidationError, PermissionDenied) as exc:
            _refused(request, exc)
    members = sms_services.resolve(request.user, {"groups": [group.pk]})
    shown = [(r.user.display_name if r.user else "", mask_phone(r.phone)) for r in members]
    return _page(request, "group.html", "groups", form=form, group=group, members=shown)


@login_required
def opt_outs(request):
    _may_use(request.user)
    form = OptOutForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sms_services.add_opt_out(request.user, **form.cleaned_data)
            return redirect("notify:sms_optout")
        except (ValidationError, PermissionDenied) as exc:
            _refused(request, exc)
    rows = Paginator(restrict(OptOut.objects.all(), request.user), 50).get_page(
        request.GET.get("page")
    )
    for row in rows:
        row.shown = mask_phone(row.phone)
    return _page(request, "optout.html", "optout", form=form, page=rows)


@login_required
@require_POST
def opt_out_remove(request, pk: int):
    _may_use(request.user)
    entry = get_for_user(OptOut.objects.all(), request.user, pk=pk)
    try:
        sms_services.remove_opt_out(request.user, entry)
    except PermissionDenied as exc:
        _refused(request, exc)
    return redirect("notify:sms_optout")


@login_required
def statistics(request):
    _may_use(request.user)
    figures = sms_stats.figures(request.user)
    return _page(request, "stats.html", "stats", **figures)


@login_required
def log(request):
    _may_use(request.user)
    listed = SmsLogFilter(request.GET, request.user)
    page = Paginator(listed.page_rows(), 50).get_page(request.GET.get("page"))
    look_up_phones(list(page))
    for row in page:
        row.shown = mask_phone(row.destination)
    status = listed.cleaned_data.get("status", "") if listed.is_valid() else ""
    return _page(request, "log.html", "log", page=page, status=status)


@login_required
def log_detail(request, pk: int):
    _may_use(request.user)
    row = get_for_user(sms_stats.sms_rows(request.user), request.user, pk=pk)
    look_up_phones([row])
    row.shown = mask_phone(row.destination)
    row.request_shown = (
        row.gateway_request.replace(row.destination, row.shown)
        if row.destination
        else row.gateway_request
    )
    return _page(request, "message.html", "log", row=row, reports=row.reports.all())
