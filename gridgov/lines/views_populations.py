"""Desk and phone pages of the special populations, rental housing and foreigners.

Every read of a special-population record (a list or one record) writes an access-log row;
lists show names masked; the ledger export needs the export rights and a reason."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_GET, require_http_methods

from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import get_for_user, restrict, user_may
from gridgov.areas import queries as area_queries
from gridgov.lines import queries_populations as queries
from gridgov.lines.filters_populations import (
    ForeignerFilter,
    LedgerWarningFilter,
    RentalFilter,
    SpecialRecordFilter,
)
from gridgov.lines.models import (
    CategoryGroup,
    ItemResult,
    PopulationCategory,
    RecordState,
    RentalHouse,
    SpecialRecord,
    SpecialVisit,
)
from gridgov.lines.services import hazards, populations, populations_settings, rentals
from gridgov.lines.views_disputes import checklist_results
from gridgov.masking import mask_name
from gridgov.registry import exports
from gridgov.registry.services import authorize_export


def _require(user, action: str) -> None:
    if not user_may(user, action):
        raise PermissionDenied


class VisitForm(forms.Form):
    met = forms.BooleanField(label=gettext_lazy("Met the person"), required=False, initial=True)
    note = forms.CharField(
        label=gettext_lazy("Note"), max_length=2000, required=False, widget=forms.Textarea
    )
    # the phone form's position (filled from the GPS; the page without script posts it too)
    lon = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    accuracy = forms.FloatField(required=False, min_value=0, widget=forms.HiddenInput)

    def position(self) -> populations.VisitPosition | None:
        lon, lat = self.cleaned_data.get("lon"), self.cleaned_data.get("lat")
        if lon is None or lat is None:
            return None
        return populations.VisitPosition(lon, lat, self.cleaned_data.get("accuracy"))


class RiskForm(forms.Form):
    risk_level = forms.IntegerField(label=gettext_lazy("Risk level"), min_value=0, max_value=9)


class InspectionForm(forms.Form):
    """Beside the checklist's items (answered item by item, as on the phone)."""

    occupants = forms.IntegerField(
        label=gettext_lazy("Occupants found"), min_value=0, max_value=500
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=2000, required=False)


class ExportForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why do you export full personal data?"), max_length=300
    )
    fmt = forms.ChoiceField(choices=[(f, f) for f in exports.FORMATS], initial="xlsx")


@login_required
def records(request):
    _require(request.user, Action.VIEW_SPECIAL_POPULATION)
    listing = SpecialRecordFilter(request.GET, request.user)
    page = Paginator(listing.page_rows(), 50).get_page(request.GET.get("page"))
    queries.log_list_read(request.user, page.object_list, listing.area_chosen())
    return render(
        request,
        "lines/populations/list.html",
        {
            "nav": "lines",
            "listing": listing,
            "page": page,
            "rows": [queries.present(r) for r in page],
            "categories": PopulationCategory.objects.filter(active=True),
            "area_choices": area_queries.picker_choices(request.user),
            "may_export": user_may(request.user, Action.EXPORT_PERSONAL),
            "export_form": ExportForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def record(request, pk: int):
    _require(request.user, Action.VIEW_SPECIAL_POPULATION)
    target = get_for_user(
        SpecialRecord.objects.select_related("category", "person", "responsible"),
        request.user,
        Action.VIEW_SPECIAL_POPULATION,
        pk=pk,
    )
    if request.method == "POST":
        return _act(request, target)
    queries.log_detail_read(request.user, target)
    return render(
        request,
        "lines/populations/detail.html",
        {
            "nav": "lines",
            "record": target,
            "shown": queries.present(target),
            "details": [
                (spec.get("label", spec.get("name")), target.details.get(spec.get("name"), ""))
                for spec in target.category.field_schema or []
            ],
            "visits": restrict(
                SpecialVisit.objects.filter(record=target).select_related("visitor"),
                request.user,
                Action.VIEW_SPECIAL_POPULATION,
            )[:50],
            "visit_form": VisitForm(),
            "risk_form": RiskForm(initial={"risk_level": target.risk_level}),
            "interval": populations.interval_days(target.category, target.risk_level),
        },
    )


@login_required
@require_GET
def visit_voice(request, pk: int):
    """A visit's voice note, to those who read the record (the read is in the access log)."""
    _require(request.user, Action.VIEW_SPECIAL_POPULATION)
    visit = get_for_user(
        SpecialVisit.objects.select_related("record"),
        request.user,
        Action.VIEW_SPECIAL_POPULATION,
        pk=pk,
    )
    if not visit.voice:
        raise Http404
    queries.log_detail_read(request.user, visit.record)
    response = FileResponse(visit.voice.open("rb"), content_type=visit.voice_type)
    response["Cache-Control"] = "private, no-store"
    return response


def _act(request, target: SpecialRecord):
    action = request.POST.get("action", "")
    try:
        if action == "visit":
            form = VisitForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Check the visit."))
            populations.record_visit(
                target,
                actor=request.user,
                met=form.cleaned_data["met"],
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("The visit is recorded."))
        elif action == "lost":
            populations.mark_lost_contact(target, actor=request.user)
            messages.warning(request, _("Lost contact: the supervisors are told."))
        elif action == "risk":
            risk = RiskForm(request.POST)
            if not risk.is_valid():
                raise ValidationError(_("Enter a valid value."))
            populations.set_risk(
                target, actor=request.user, risk_level=risk.cleaned_data["risk_level"]
            )
            messages.success(request, _("The risk level is changed."))
        elif action == "close":
            populations.close_record(target, actor=request.user)
            messages.success(request, _("The record is closed."))
        else:
            return HttpResponseBadRequest()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("lines:population_record", target.pk)


@login_required
@require_http_methods(["POST"])
def export_records(request):
    """The special-population ledger as a file: the export rights and a reason, always."""
    _require(request.user, Action.VIEW_SPECIAL_POPULATION)
    authorize_export(request.user, personal=True)
    form = ExportForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Say why you export full personal data."))
    listing = SpecialRecordFilter(request.GET, request.user)
    if not listing.is_valid():
        return HttpResponseBadRequest(" ".join(m for e in listing.errors.values() for m in e))
    asked = exports.ExportRequest(
        subject_type="lines.specialrecord",
        name="special-populations",
        fmt=form.cleaned_data["fmt"],
        fields=["name", "id_number", "category", "risk_level"],
        full=True,
        reason=form.cleaned_data["reason"],
        area=listing.area_chosen(),
    )

    def table() -> exports.Table:
        rows = list(listing.rows()[: exports.EXPORT_LIMIT])
        return exports.Table(
            headers=[
                _("Name"),
                _("ID number"),
                pgettext("special population", "Category"),
                _("Risk level"),
                _("State"),
                _("Supervising office"),
                _("Next visit due"),
                _("Area"),
            ],
            rows=[
                [
                    r.person.name,
                    r.person.id_number or "",
                    r.category.name,
                    r.risk_level,
                    r.get_state_display(),
                    r.supervising_office,
                    r.next_visit_due.isoformat() if r.next_visit_due else "",
                    r.area_code,
                ]
                for r in rows
            ],
            area_codes=[r.area_code for r in rows],
        )

    return exports.export_table(request.user, asked, table)


@login_required
def ledger_warnings(request):
    listing = LedgerWarningFilter(request.GET, request.user)
    page = Paginator(listing.page_rows(), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "lines/populations/warnings.html",
        {
            "nav": "lines",
            "listing": listing,
            "page": page,
            "area_choices": area_queries.picker_choices(request.user),
        },
    )


@login_required
def rental_list(request):
    listing = RentalFilter(request.GET, request.user)
    page = Paginator(listing.page_rows(), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "lines/rentals/list.html",
        {
            "nav": "lines",
            "listing": listing,
            "page": page,
            "area_choices": area_queries.picker_choices(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def rental(request, pk: int):
    target = get_for_user(
        RentalHouse.objects.select_related("house", "landlord_person", "landlord_org"),
        request.user,
        Action.VIEW,
        pk=pk,
    )
    plan = hazards.rental_plan()
    items = list(plan.current_items()) if plan else []
    form = InspectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            inspection = rentals.inspect_rental(
                target,
                actor=request.user,
                results=checklist_results(request, items),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Inspection recorded: %(n)d hazards.") % {"n": inspection.hazards.count()},
            )
            return redirect("lines:rental", target.pk)
    today = timezone.localdate()
    return render(
        request,
        "lines/rentals/detail.html",
        {
            "nav": "lines",
            "rental": target,
            "landlord": mask_name(target.landlord_person.name if target.landlord_person else "")
            or (target.landlord_org.name if target.landlord_org else ""),
            "leases": restrict(target.leases.all(), request.user)[:20],
            "tenants": [
                {
                    "name": mask_name(t.person.name),
                    "moved_in": t.moved_in,
                    "moved_out": t.moved_out,
                    "permit_expiry": t.permit_expiry,
                    "police_registered_on": t.police_registered_on,
                    "late": t.police_registered_on is None
                    and (today - t.moved_in).days > rentals.POLICE_REPORT_DAYS,
                }
                for t in restrict(target.tenants.select_related("person"), request.user)[:100]
            ],
            "inspections": hazards.rental_inspections(target, request.user),
            "open_hazards": restrict(target.hazards.exclude(state="closed"), request.user)
            .select_related("item")
            .order_by("deadline", "pk")[:50],
            "plan": plan,
            "items": items,
            "choices": ItemResult.choices,
            "form": form,
        },
    )


@login_required
def foreigners(request):
    _require(request.user, Action.VIEW_FOREIGN_AFFAIRS)
    listing = ForeignerFilter(request.GET, request.user)
    page = Paginator(listing.page_rows(), 50).get_page(request.GET.get("page"))
    now = timezone.now()
    return render(
        request,
        "lines/rentals/foreigners.html",
        {
            "nav": "lines",
            "listing": listing,
            "page": page,
            "rows": [
                {
                    "id": s.pk,
                    "name": mask_name(s.person.name),
                    "nationality": s.nationality,
                    "arrived_at": s.arrived_at,
                    "registered_at": s.registered_at,
                    "late": rentals.registration_late(s, now),
                    "visa_expiry": s.visa_expiry,
                    "area_code": s.area_code,
                }
                for s in page
            ],
            "figures": queries.foreign_figures(listing.base()),
            "area_choices": area_queries.picker_choices(request.user),
        },
    )


class IntervalForm(forms.Form):
    category = forms.SlugField(max_length=32)
    risk_level = forms.IntegerField(label=gettext_lazy("Risk level"), min_value=0, max_value=9)
    every_days = forms.IntegerField(
        label=gettext_lazy("Visit every (days)"), min_value=1, max_value=366
    )


class CategoryForm(forms.Form):
    code = forms.SlugField(label=gettext_lazy("Code"), max_length=32)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=60)
    group = forms.ChoiceField(label=gettext_lazy("Population group"), choices=CategoryGroup.choices)
    max_risk = forms.IntegerField(
        label=gettext_lazy("Highest risk level"), min_value=0, max_value=9
    )
    field_schema = forms.JSONField(
        label=gettext_lazy("Extra fields (JSON)"), required=False, max_length=5000
    )


@login_required
@require_http_methods(["GET", "POST"])
def population_settings(request):
    """The categories and the visit-interval table (the settings right)."""
    _require(request.user, Action.MANAGE_SETTINGS)
    interval_form = IntervalForm(request.POST if request.POST.get("action") == "interval" else None)
    category_form = CategoryForm(request.POST if request.POST.get("action") == "category" else None)
    if request.method == "POST":
        try:
            if interval_form.is_bound and interval_form.is_valid():
                data = interval_form.cleaned_data
                populations_settings.set_interval(
                    actor=request.user,
                    category=PopulationCategory.objects.get(code=data["category"]),
                    risk_level=data["risk_level"],
                    every_days=data["every_days"],
                )
                return redirect("lines:population_settings")
            if category_form.is_bound and category_form.is_valid():
                data = category_form.cleaned_data
                populations_settings.save_category(
                    actor=request.user,
                    code=data["code"],
                    name=data["name"],
                    group=data["group"],
                    max_risk=data["max_risk"],
                    field_schema=data["field_schema"] or [],
                )
                return redirect("lines:population_settings")
        except (ValidationError, PopulationCategory.DoesNotExist) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    categories = list(
        PopulationCategory.objects.prefetch_related("intervals").order_by("group", "code")
    )
    return render(
        request,
        "lines/populations/settings.html",
        {
            "nav": "lines",
            "categories": categories,
            "interval_form": interval_form,
            "category_form": category_form,
        },
    )


# --- phone pages (the member's visits) -------------------------------------------------------


def _my_records(user):
    return restrict(
        SpecialRecord.objects.filter(
            responsible=user, state__in=[RecordState.ACTIVE, RecordState.LOST]
        ).select_related("category", "person"),
        user,
        Action.CHANGE,
    ).order_by("next_visit_due", "pk")


@login_required
def phone_visits(request):
    mine = list(_my_records(request.user)[:100])
    queries.log_list_read(request.user, mine)
    return render(
        request,
        "lines/populations/phone_list.html",
        {"rows": [queries.present(r) for r in mine]},
    )


@login_required
@require_http_methods(["GET", "POST"])
def phone_visit(request, pk: int):
    target = _my_records(request.user).filter(pk=pk).first()
    if target is None:
        raise Http404
    form = VisitForm(request.POST or None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "lost":
                populations.mark_lost_contact(target, actor=request.user)
                messages.warning(request, _("Lost contact: the supervisors are told."))
                return redirect("lines:phone_visits")
            if form.is_valid():
                populations.record_visit(
                    target,
                    actor=request.user,
                    met=form.cleaned_data["met"],
                    note=form.cleaned_data["note"],
                    position=form.position(),
                )
                messages.success(request, _("The visit is recorded."))
                return redirect("lines:phone_visits")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    queries.log_detail_read(request.user, target)
    return render(
        request,
        "lines/populations/phone_visit.html",
        {"record": target, "shown": queries.present(target), "form": form},
        status=400 if request.method == "POST" else 200,  # a post that was not saved
    )
