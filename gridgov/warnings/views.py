"""Warning pages: list, draft, approve, issue, forward, follow up, board, my receipts, CAP, rules.
Thin: forms and queries in, services for every change; outside the scope is 404."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import get_for_user, restrict, user_may
from gridgov.areas import queries as area_queries
from gridgov.warnings import cap, queries, services
from gridgov.warnings.filters import WarningFilter
from gridgov.warnings.forms import (
    CapImportForm,
    FollowUpForm,
    ForwardForm,
    RuleForm,
    WarningForm,
)
from gridgov.warnings.models import Kind, Rule, RuleHit, State


def _errors_are_400(view):
    """A refused step is the user's to fix: the page again with the reason and a 400."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ValidationError as exc:
            return render(
                request,
                "warnings/error.html",
                {"nav": "warnings", "message_list": exc.messages},
                status=400,
            )

    return wrapper


@login_required
@require_GET
def warning_list(request):
    listed = WarningFilter(request.GET, request.user)
    page = Paginator(listed.page_rows(), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "warnings/list.html",
        {
            "nav": "warnings",
            "page": page,
            "filters": listed,
            "area_choices": area_queries.picker_choices(request.user),
            "selected": listed.area_chosen() if listed.is_valid() else "",
            "active": queries.active_for(request.user),
        },
    )


def _form_page(request, form, warning=None, status=200):
    return render(
        request,
        "warnings/form.html",
        {
            "nav": "warnings",
            "form": form,
            "warning": warning,
            "outlines": queries.drawing_outlines(request.user),
        },
        status=status,
    )


@login_required
def create(request):
    if not user_may(request.user, Action.ISSUE_WARNING):
        raise PermissionDenied
    form = WarningForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            try:
                warning = services.create_draft(
                    acting_user=request.user,
                    area_code=form.cleaned_data["area_code"],
                    data=form.to_input(),
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("The draft is saved."))
                return redirect("warnings:detail", warning.pk)
        return _form_page(request, form, status=400)
    return _form_page(request, form)


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def edit(request, pk: int):
    warning = queries.get_warning_for_user(request.user, pk)
    if warning.state != State.DRAFT:
        raise Http404
    data = request.POST if request.method == "POST" else None
    form = WarningForm(data, user=request.user, initial=WarningForm.initial_from(warning))
    if request.method == "POST":
        if form.is_valid():
            try:
                services.edit_draft(warning, acting_user=request.user, data=form.to_input())
                for upload in request.FILES.getlist("attachment"):
                    services.add_attachment(warning, upload, acting_user=request.user)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("The draft is saved."))
                return redirect("warnings:detail", warning.pk)
        return _form_page(request, form, warning, status=400)
    return _form_page(request, form, warning)


@login_required
@require_GET
def detail(request, pk: int):
    warning = queries.get_warning_for_user(request.user, pk)
    services.mark_read(warning, acting_user=request.user)
    mine = queries.own_receipts(request.user).filter(warning=warning).first()
    hit = (
        restrict(RuleHit.objects.filter(pk=warning.raised_by_id), request.user).first()
        if warning.raised_by_id
        else None
    )
    return render(
        request,
        "warnings/detail.html",
        {
            "nav": "warnings",
            "warning": warning,
            "mine": mine,
            "hit": hit,
            "target_names": queries.area_names(warning.target_codes),
            "outlines": queries.target_outlines(warning),
            "followers": queries.warnings_for(request.user).filter(original=warning.root),
            "forward_form": ForwardForm(user=request.user, warning=warning),
            "follow_up_form": FollowUpForm(),
            "may_issue": user_may(request.user, Action.ISSUE_WARNING),
            "may_approve": user_may(request.user, Action.APPROVE_WARNING),
        },
    )


def _step(service):
    @login_required
    @require_POST
    @_errors_are_400
    def view(request, pk: int):
        warning = queries.get_warning_for_user(request.user, pk)
        service(warning, acting_user=request.user)
        return redirect("warnings:detail", warning.pk)

    return view


approve = _step(services.approve)
issue = _step(services.issue)
send_back = _step(services.send_back)
discard = _step(services.discard)


@login_required
@require_POST
@_errors_are_400
def acknowledge(request, pk: int):
    warning = queries.get_warning_for_user(request.user, pk)
    services.acknowledge(warning, acting_user=request.user, via="app")
    messages.success(request, _("Acknowledged."))
    return redirect(request.POST.get("next") or "warnings:mine")


@login_required
@require_POST
@_errors_are_400
def forward(request, pk: int):
    warning = queries.get_warning_for_user(request.user, pk)
    form = ForwardForm(request.POST, user=request.user, warning=warning)
    if not form.is_valid():
        raise ValidationError([m for errors in form.errors.values() for m in errors])
    made = services.forward(
        warning,
        acting_user=request.user,
        area_code=form.cleaned_data["area_code"],
        instruction=form.cleaned_data["instruction"],
    )
    return redirect("warnings:detail", made.pk)


@login_required
@require_POST
@_errors_are_400
def follow_up(request, pk: int):
    warning = queries.get_warning_for_user(request.user, pk)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_("Choose update, cancellation or all clear."))
    made = services.follow_up(warning, acting_user=request.user, kind=form.cleaned_data["kind"])
    if made.kind == Kind.UPDATE:
        return redirect("warnings:edit", made.pk)
    return redirect("warnings:detail", made.pk)


@login_required
@require_GET
def board(request, pk: int):
    warning = queries.get_warning_for_user(request.user, pk)
    return render(
        request,
        "warnings/board.html",
        {
            "nav": "warnings",
            "warning": warning,
            "board": queries.board(warning, request.user),
            "silent": queries.silent_recipients(warning, request.user),
            "etag": queries.board_etag(warning, request.user),
        },
    )


@login_required
@require_GET
def mine(request):
    page = Paginator(queries.my_receipts(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "warnings/mine.html", {"nav": "warnings", "page": page})


@login_required
@require_GET
def cap_export(request, pk: int):
    warning = queries.get_warning_for_user(request.user, pk)
    response = HttpResponse(
        cap.to_xml(warning, request.build_absolute_uri("/")[:-1]),
        content_type="application/cap+xml; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{warning.identifier}.xml"'
    return response


@login_required
def cap_import(request):
    if not user_may(request.user, Action.ISSUE_WARNING):
        raise PermissionDenied
    form = CapImportForm(request.POST or None, request.FILES or None, user=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                warning = cap.import_draft(
                    form.cleaned_data["file"].read(cap.MAX_CAP_BYTES + 1),
                    acting_user=request.user,
                    area_code=form.cleaned_data["area_code"],
                )
            except ValidationError as exc:
                form.add_error("file", exc.messages)
            else:
                messages.success(request, _("The alert is imported as a draft."))
                return redirect("warnings:detail", warning.pk)
    return render(request, "warnings/import.html", {"nav": "warnings", "form": form}, status=status)


@login_required
@require_GET
def active_partial(request):
    return render(request, "warnings/_active.html", {"active": queries.active_for(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def rules(request):
    if not user_may(request.user, Action.MANAGE_SETTINGS):
        raise PermissionDenied
    return _rule_page(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request, pk: int):
    if not user_may(request.user, Action.MANAGE_SETTINGS):
        raise PermissionDenied
    rule = get_for_user(Rule.objects.all(), request.user, Action.MANAGE_SETTINGS, pk=pk)
    return _rule_page(request, rule)


def _rule_page(request, rule):
    initial = (
        {
            "name": rule.name,
            "kind": rule.kind,
            "area_code": rule.area_code,
            "colour": rule.colour,
            "outcome": rule.outcome,
            "alpha": rule.alpha,
            "every_days": rule.every_days,
            "params": rule.params,
            "active": rule.active,
        }
        if rule
        else {"alpha": 0.05, "every_days": 7, "active": True, "params": {}}
    )
    form = RuleForm(request.POST or None, user=request.user, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            fields = dict(form.cleaned_data)
            area_code = fields.pop("area_code")
            fields["params"] = fields["params"] or {}
            try:
                services.save_rule(rule, acting_user=request.user, area_code=area_code, **fields)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("The rule is saved."))
                return redirect("warnings:rules")
    listed = restrict(Rule.objects.all(), request.user, Action.MANAGE_SETTINGS)
    return render(
        request,
        "warnings/rules.html",
        {"nav": "warnings", "form": form, "rule": rule, "rules": listed},
        status=status,
    )
