"""Desk forms of the dispute path (register, sessions, agreement, signed scan, court
confirmation, referral and its outcome, follow-up, close, regrade) and the case ↔ dispute
conversions. Thin: a form from `forms_disputes` checks the input, a service of
`services.disputes` checks the right and the state and makes the change. Outside the scope is
404; inside it without the right to change, 403."""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import code_in_scope, get_for_user, restrict
from gridgov.lines import forms_disputes as f
from gridgov.lines import parties_disputes as pickers
from gridgov.lines.models import Dispute, DisputeState, PartyRole
from gridgov.lines.services import disputes as ds


def form_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service's refusal shown on the form (on its field when the form has one)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@dataclass(frozen=True)
class Step:
    """One action on a dispute: its form, when it is offered, what it does (returns the page to
    go to afterwards, or None for the dispute's own page)."""

    title: str
    form: type[forms.Form]
    offered: Callable[[Dispute], bool]
    run: Callable[[Dispute, dict, User], str | None]
    multipart: bool = False


def _session(d: Dispute, c: dict, user: User) -> None:
    ds.add_session(d, actor=user, **c)


def _agreement(d: Dispute, c: dict, user: User) -> None:
    ds.draft_agreement(d, c["text"], actor=user)


def _signed(d: Dispute, c: dict, user: User) -> None:
    scan = c["scan"]
    content = scan.read(f.MAX_SCAN + 1)
    ds.upload_signed_agreement(
        d, content, scan.name or "scan.pdf", actor=user, signed_on=c["signed_on"]
    )


def _court(d: Dispute, c: dict, user: User) -> None:
    ds.record_court_confirmation(d, actor=user, applied_on=c["applied_on"], result=c["result"])


def _refer(d: Dispute, c: dict, user: User) -> None:
    ds.refer(d, actor=user, body=c["body"], body_name=c["body_name"])


def _outcome(d: Dispute, c: dict, user: User) -> None:
    ds.record_referral_outcome(
        c["referral"], actor=user, accepted_on=c["accepted_on"], outcome=c["outcome"]
    )


def _follow_up(d: Dispute, c: dict, user: User) -> None:
    ds.record_follow_up(
        d, actor=user, visited_on=c["visited_on"], note=c["note"], fulfilled=c["fulfilled"]
    )


def _close(d: Dispute, c: dict, user: User) -> None:
    ds.close_dispute(d, actor=user, success=c["success"], note=c["note"])


def _regrade(d: Dispute, c: dict, user: User) -> None:
    ds.regrade(d, c["risk"], actor=user)


def _to_case(d: Dispute, c: dict, user: User) -> str:
    case = ds.case_from_dispute(d, actor=user)
    return f"/cases/{case.pk}/"


def _open(d: Dispute) -> bool:
    return d.state in ds.OPEN_STATES


STEPS: dict[str, Step] = {
    "session": Step(
        pgettext_lazy("dispute step", "Add a mediation session"),
        f.SessionForm,
        lambda d: d.state in (DisputeState.REGISTERED, DisputeState.MEDIATING),
        _session,
    ),
    "agreement": Step(
        pgettext_lazy("dispute step", "Draft the agreement"),
        f.AgreementForm,
        lambda d: d.state in (DisputeState.MEDIATING, DisputeState.AGREEMENT),
        _agreement,
    ),
    "signed": Step(
        pgettext_lazy("dispute step", "Upload the signed agreement"),
        f.SignedForm,
        lambda d: d.state == DisputeState.AGREEMENT,
        _signed,
        multipart=True,
    ),
    "court": Step(
        pgettext_lazy("dispute step", "Record the court confirmation"),
        f.CourtForm,
        lambda d: d.effective_on is not None and d.court_applied_on is None,
        _court,
    ),
    "refer": Step(
        pgettext_lazy("dispute step", "Refer to another body"), f.ReferralForm, _open, _refer
    ),
    "outcome": Step(
        pgettext_lazy("dispute step", "Record the referral's outcome"),
        f.OutcomeForm,
        lambda d: d.referrals.filter(outcome="").exists(),
        _outcome,
    ),
    "follow_up": Step(
        pgettext_lazy("dispute step", "Record a follow-up visit"),
        f.FollowUpForm,
        lambda d: d.state == DisputeState.FULFILMENT,
        _follow_up,
    ),
    "regrade": Step(
        pgettext_lazy("dispute step", "Regrade the risk"),
        f.RegradeForm,
        lambda d: d.state != DisputeState.CLOSED,
        _regrade,
    ),
    "close": Step(
        pgettext_lazy("dispute step", "Close the dispute"),
        f.CloseForm,
        lambda d: d.state != DisputeState.CLOSED,
        _close,
    ),
    "to_case": Step(
        pgettext_lazy("dispute step", "Turn into a case"),
        f.ToCaseForm,
        lambda d: d.case_id is None and d.state != DisputeState.CLOSED,
        _to_case,
    ),
}


# The timeline's events by name (the services write a code).
EVENT_NAMES = {
    "registered": pgettext_lazy("dispute event", "Registered"),
    "escalated": pgettext_lazy("dispute event", "Escalated"),
    "regraded": pgettext_lazy("dispute event", "Risk regraded"),
    "session": pgettext_lazy("dispute event", "Mediation session"),
    "agreement": pgettext_lazy("dispute event", "Agreement drafted"),
    "effective": pgettext_lazy("dispute event", "Signed agreement in force"),
    "follow_up": pgettext_lazy("dispute event", "Follow-up visit"),
    "court": pgettext_lazy("dispute event", "Court confirmation"),
    "referred": pgettext_lazy("dispute event", "Referred"),
    "referral_outcome": pgettext_lazy("dispute event", "Referral outcome"),
    "closed": pgettext_lazy("dispute event", "Closed"),
    "from_case": pgettext_lazy("dispute event", "Made from a case"),
    "to_case": pgettext_lazy("dispute event", "Turned into a case"),
}


def _make_form(name: str, dispute: Dispute, data=None, files=None) -> forms.Form:
    step = STEPS[name]
    kwargs: dict = {"prefix": name}
    if step.form is f.OutcomeForm:
        kwargs["dispute"] = dispute
    if data is None:
        kwargs["initial"] = _initial(name, dispute)
    return step.form(data, files, **kwargs)


def _initial(name: str, dispute: Dispute) -> dict:
    today = timezone.localdate()
    return {
        "session": {"held_on": today},
        "follow_up": {"visited_on": today},
        "court": {"applied_on": today},
        "regrade": {"risk": dispute.risk},
        "outcome": {"accepted_on": today},
    }.get(name, {})


def may_change(user: User, dispute: Dispute) -> bool:
    return code_in_scope(user, dispute.area_code, Action.CHANGE)


def dispute_context(user: User, dispute: Dispute, failed: tuple[str, forms.Form] | None = None):
    """The detail page's data; with `may_change` the forms of the steps the state allows."""
    steps = []
    if may_change(user, dispute):
        for name, step in STEPS.items():
            if not step.offered(dispute):
                continue
            form = failed[1] if failed and failed[0] == name else _make_form(name, dispute)
            steps.append(
                {
                    "name": name,
                    "title": step.title,
                    "action": reverse("lines:dispute_step", args=[dispute.pk, name]),
                    "form": form,
                    "multipart": step.multipart,
                    "open": bool(failed and failed[0] == name),
                }
            )
    events = list(dispute.events.all())
    for event in events:
        event.what_name = EVENT_NAMES.get(event.what, event.what)  # type: ignore[attr-defined]
    return {
        "nav": "lines",
        "tab": "disputes",
        "d": dispute,
        "events": events,
        "court_ends": ds.court_window_ends(dispute),
        "steps": steps,
    }


@login_required
@require_POST
def dispute_step(request, pk: int, step: str):
    """One step of the path from the dispute's page; a refused step shows its form again."""
    if step not in STEPS:
        raise Http404
    dispute = get_for_user(Dispute.objects.all(), request.user, Action.VIEW, pk=pk)
    if not may_change(request.user, dispute):
        raise PermissionDenied
    form = _make_form(step, dispute, request.POST, request.FILES)
    if form.is_valid():
        try:
            target = STEPS[step].run(dispute, form.cleaned_data, request.user)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(target or reverse("lines:dispute", args=[dispute.pk]))
    dispute.refresh_from_db()
    return render(
        request,
        "lines/disputes/detail.html",
        dispute_context(request.user, dispute, failed=(step, form)),
        status=400,
    )


@login_required
@require_http_methods(["GET", "POST"])
def dispute_new(request):
    """Register a dispute at the desk."""
    if not user_may_register(request.user):
        raise PermissionDenied
    form = f.DisputeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            dispute = ds.register_dispute(form.to_input(), actor=request.user)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request, _("Dispute %(number)s registered.") % {"number": dispute.number}
            )
            return redirect("lines:dispute", pk=dispute.pk)
    return render(
        request,
        "lines/disputes/new.html",
        {"nav": "lines", "tab": "disputes", "form": form, **picker_context(form)},
        status=400 if form.is_bound else 200,
    )


def picker_context(form: f.PartiesMixin) -> dict:
    return {"party_roles": PartyRole.choices, "chips": form.linked_chips()}


@login_required
@require_GET
def dispute_parties(request):
    """The parties picker (htmx): `party_q` finds people and organizations in the user's change
    scope; `pick=<kind>:<id>` with `party_role` answers the picked party's checkbox for the form
    (404 outside the scope). Masked as the registry's lists are."""
    if not user_may_register(request.user):
        raise PermissionDenied
    if pick := request.GET.get("pick", ""):
        role = request.GET.get("party_role") or PartyRole.APPLICANT
        try:
            link = pickers.parse(f"{pick}:{role}")
        except ValidationError as exc:
            return HttpResponseBadRequest(" ".join(exc.messages))
        found = pickers.chips(request.user, [link])
        if not found:
            raise Http404
        return render(request, "lines/disputes/_party_chip.html", {"chip": found[0]})
    text = request.GET.get("party_q", "")[:100]
    return render(
        request,
        "lines/disputes/_party_results.html",
        {"results": pickers.search(request.user, text), "searched": bool(text.strip())},
    )


def user_may_register(user: User) -> bool:
    return f.registrable_areas(user).exists()


# ---- case ↔ dispute -----------------------------------------------------------------------


def case_links(user: User, case) -> dict:
    """For a case's page: the disputes made from it, and whether the user may make one."""
    linked = list(restrict(Dispute.objects.filter(case=case), user).only("pk", "number", "title"))
    return {
        "disputes": linked,
        "may_make_dispute": not linked and code_in_scope(user, case.area_code, Action.CHANGE),
    }


@login_required
@require_http_methods(["GET", "POST"])
def dispute_from_case(request, case_pk: int):
    """转为矛盾纠纷: the case's title, place and description, with kind, risk and parties."""
    from gridgov.cases.queries import get_case_for_user

    case = get_case_for_user(request.user, case_pk)
    if not code_in_scope(request.user, case.area_code, Action.CHANGE):
        raise PermissionDenied
    existing = restrict(Dispute.objects.filter(case=case), request.user).first()
    if existing is not None:
        return redirect("lines:dispute", pk=existing.pk)
    form = f.FromCaseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            dispute = ds.dispute_from_case(
                case, actor=request.user, kind=c["kind"], risk=c["risk"], parties=c["parties"]
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("lines:dispute", pk=dispute.pk)
    return render(
        request,
        "lines/disputes/from_case.html",
        {"nav": "lines", "tab": "disputes", "form": form, "case": case, **picker_context(form)},
        status=400 if form.is_bound else 200,
    )
