"""Desk forms of the special-population records and rental houses: create and edit a record,
create and edit a rented house with its leases and tenants (the police registration checked,
moving out). Thin views over `services.populations` and `services.rentals`, which check the
rights; people, houses and organizations are picked by a registry search within the user's
scope (the same filters as the registry's lists)."""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import get_for_user, restrict, user_may
from gridgov.lines.forms_populations import (
    LeaseForm,
    RecordForm,
    RentalForm,
    StayForm,
    TenantActionForm,
    TenantForm,
    record_initial,
    rental_initial,
    stay_initial,
)
from gridgov.lines.models import (
    ForeignerStay,
    PopulationCategory,
    RecordState,
    RentalHouse,
    SpecialRecord,
)
from gridgov.lines.services import populations, rentals
from gridgov.masking import mask_name
from gridgov.registry import queries as registry_queries
from gridgov.registry.filters import OrganizationFilter, PeopleFilter
from gridgov.registry.models import House

PICKED = 20  # search results offered at once


# ---- pickers: registry searches within the user's scope ----------------------------------


class SearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), max_length=100, required=False)


def people_found(user: User, text: str) -> list[dict]:
    """People the user may change whose name (or whole ID or phone number) matches."""
    text = (text or "").strip()
    if not text:
        return []
    listing = PeopleFilter({"q": text}, user, Action.CHANGE)
    rows = listing.page_rows().defer(*registry_queries.SEALED_FIELDS)[:PICKED]
    return [
        {
            "id": p.pk,
            "label": " · ".join(
                x
                for x in (
                    p.name,
                    p.id_number_masked or p.other_id_masked,
                    str(p.birth_date.year) if p.birth_date else "",
                    p.area_code,
                )
                if x
            ),
        }
        for p in rows
    ]


def organizations_found(user: User, text: str) -> list[dict]:
    text = (text or "").strip()
    if not text:
        return []
    rows = OrganizationFilter({"q": text}, user, Action.CHANGE).page_rows()[:PICKED]
    return [{"id": o.pk, "label": f"{o.name} · {o.area_code}"} for o in rows]


def houses_found(user: User, text: str) -> list[dict]:
    text = (text or "").strip()
    if not text:
        return []
    rows = (
        restrict(House.objects.select_related("building"), user, Action.CHANGE)
        .filter(Q(code__istartswith=text) | Q(building__name__icontains=text))
        .order_by("code")[:PICKED]
    )
    return [{"id": h.pk, "label": f"{h.code} · {h.building.name}"} for h in rows]


def _errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# ---- special-population records ------------------------------------------------------------


def _category(value) -> PopulationCategory | None:
    try:
        return PopulationCategory.objects.filter(pk=int(value), active=True).first()
    except (TypeError, ValueError):
        return None


@login_required
@require_http_methods(["GET", "POST"])
def record_new(request):
    """A new record: search the person, choose the category (its own fields follow), save."""
    if not user_may(request.user, Action.VIEW_SPECIAL_POPULATION):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    source = request.POST if data is not None else request.GET
    search = SearchForm(source)
    text = search.cleaned_data["q"] if search.is_valid() else ""
    category = _category(source.get("category"))
    form = RecordForm(data, user=request.user, category=category)
    if data is not None and request.POST.get("action") == "save" and form.is_valid():
        try:
            record = populations.create_record(
                form.cleaned_data["person"],
                actor=request.user,
                category=form.cleaned_data["category"],
                risk_level=form.cleaned_data["risk_level"],
                facts=form.facts(),
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("The record is created."))
            return redirect("lines:population_record", record.pk)
    return render(
        request,
        "lines/populations/edit.html",
        {
            "nav": "lines",
            "form": form,
            "search": search,
            "options": _options(
                _picked(form, "person"), people_found(request.user, text), lambda p: p.name
            ),
            "show_errors": data is not None and request.POST.get("action") == "save",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_edit(request, pk: int):
    if not user_may(request.user, Action.VIEW_SPECIAL_POPULATION):
        raise PermissionDenied
    target = get_for_user(
        SpecialRecord.objects.select_related("category", "person", "responsible"),
        request.user,
        Action.VIEW_SPECIAL_POPULATION,
        pk=pk,
    )
    if target.state == RecordState.CLOSED:
        messages.error(request, _("This record is closed."))
        return redirect("lines:population_record", target.pk)
    initial = record_initial(target)
    data = request.POST if request.method == "POST" else None
    form = RecordForm(
        data, user=request.user, category=target.category, editing=True, initial=initial
    )
    if data is not None and form.is_valid():
        try:
            populations.update_record(target, actor=request.user, facts=form.facts())
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("The record is saved."))
            return redirect("lines:population_record", target.pk)
    return render(
        request,
        "lines/populations/edit.html",
        {"nav": "lines", "form": form, "record": target, "show_errors": data is not None},
    )


# ---- rental houses -----------------------------------------------------------------------


def _options(chosen, found: list[dict], label) -> list[dict]:
    """The picker's radio buttons: the chosen object first (checked), then what was found."""
    options = [{"id": chosen.pk, "label": label(chosen), "checked": True}] if chosen else []
    return options + [{**f, "checked": False} for f in found if not chosen or f["id"] != chosen.pk]


def _picked(form: forms.Form, name: str):
    """The object chosen in a bound form's picker field (None when none or not allowed)."""
    field = form.fields.get(name)
    value = form.data.get(name) if form.is_bound else None
    if field is None or not value:
        return None
    try:
        return field.queryset.filter(pk=int(value)).first()
    except (TypeError, ValueError):
        return None


def _rental_page(request, form, target=None, **extra):
    source = request.POST if request.method == "POST" else request.GET
    texts = {k: str(source.get(k, ""))[:100] for k in ("house_q", "person_q", "org_q", "tenant_q")}
    bound = form.is_bound
    person = _picked(form, "landlord_person") if bound else getattr(target, "landlord_person", None)
    org = _picked(form, "landlord_org") if bound else getattr(target, "landlord_org", None)
    tenant_form = extra.get("tenant_form")
    return render(
        request,
        "lines/rentals/edit.html",
        {
            "nav": "lines",
            "form": form,
            "rental": target,
            "texts": texts,
            "houses": _options(
                _picked(form, "house"),
                houses_found(request.user, texts["house_q"]),
                lambda h: h.code,
            ),
            "people": _options(
                person, people_found(request.user, texts["person_q"]), lambda p: p.name
            ),
            "orgs": _options(
                org, organizations_found(request.user, texts["org_q"]), lambda o: o.name
            ),
            "tenant_people": _options(
                _picked(tenant_form, "person") if tenant_form else None,
                people_found(request.user, texts["tenant_q"]),
                lambda p: p.name,
            ),
            **extra,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def rental_new(request):
    data = request.POST if request.method == "POST" else None
    form = RentalForm(data, user=request.user)
    if data is not None and request.POST.get("action") == "save" and form.is_valid():
        try:
            rental = rentals.save_rental(
                form.cleaned_data["house"], actor=request.user, new=True, **form.facts()
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("The rented house is saved."))
            return redirect("lines:rental_edit", rental.pk)
    show = data is not None and request.POST.get("action") == "save"
    return _rental_page(request, form, show_errors=show)


def _tenant_of(request, target: RentalHouse, form: TenantActionForm):
    if not form.is_valid():
        return None
    return (
        restrict(target.tenants.all(), request.user, Action.CHANGE)
        .filter(pk=form.cleaned_data["tenant"])
        .first()
    )


@login_required
@require_http_methods(["GET", "POST"])
def rental_edit(request, pk: int):
    """The house's landlord and limits; its leases and tenants (one POST action each)."""
    target = get_for_user(
        RentalHouse.objects.select_related("house", "landlord_person", "landlord_org"),
        request.user,
        Action.CHANGE,
        pk=pk,
    )
    action = request.POST.get("action", "") if request.method == "POST" else ""
    initial = rental_initial(target)
    form = RentalForm(
        request.POST if action in ("save", "search") else None,
        user=request.user,
        editing=True,
        initial=initial,
    )
    lease_form = LeaseForm(request.POST if action == "lease" else None)
    tenant_form = TenantForm(
        request.POST if action in ("tenant", "tenant_search") else None, user=request.user
    )
    try:
        if action == "save" and form.is_valid():
            rentals.save_rental(target.house, actor=request.user, **form.facts())
            messages.success(request, _("The rented house is saved."))
            return redirect("lines:rental_edit", target.pk)
        if action == "lease" and lease_form.is_valid():
            rentals.add_lease(target, actor=request.user, **lease_form.cleaned_data)
            messages.success(request, _("The lease is added."))
            return redirect("lines:rental_edit", target.pk)
        if action == "tenant" and tenant_form.is_valid():
            rentals.add_tenant(
                target,
                tenant_form.cleaned_data["person"],
                actor=request.user,
                moved_in=tenant_form.cleaned_data["moved_in"],
                permit_expiry=tenant_form.cleaned_data["permit_expiry"],
                police_registered_on=tenant_form.cleaned_data["police_registered_on"],
            )
            messages.success(request, _("The tenant is added."))
            return redirect("lines:rental_edit", target.pk)
        if action in ("police", "move_out"):
            acted = TenantActionForm(request.POST)
            tenant = _tenant_of(request, target, acted)
            if tenant is None:
                messages.error(request, _("Choose a tenant of this house."))
            else:
                on = acted.cleaned_data["on"] or datetime.date.today()
                if action == "police":
                    rentals.check_police_registration(tenant, actor=request.user, registered_on=on)
                else:
                    rentals.move_out(tenant, actor=request.user, on=on)
                messages.success(request, _("Saved."))
            return redirect("lines:rental_edit", target.pk)
    except ValidationError as exc:
        _errors({"save": form, "lease": lease_form, "tenant": tenant_form}[action], exc)
    tenants = restrict(target.tenants.select_related("person"), request.user).order_by(
        "moved_out", "-moved_in", "pk"
    )[:100]
    return _rental_page(
        request,
        form,
        target,
        lease_form=lease_form,
        tenant_form=tenant_form,
        leases=restrict(target.leases.all(), request.user).order_by("-start")[:20],
        tenants=[
            {
                "id": t.pk,
                "name": mask_name(t.person.name),
                "moved_in": t.moved_in,
                "moved_out": t.moved_out,
                "permit_expiry": t.permit_expiry,
                "police_registered_on": t.police_registered_on,
            }
            for t in tenants
        ],
        show_errors=action in ("save", "lease", "tenant"),
    )


# ---- foreigners' stays ---------------------------------------------------------------------


def rentals_found(user: User, text: str) -> list[dict]:
    """Rented houses the user may change whose code (or building's name) matches."""
    text = (text or "").strip()
    if not text:
        return []
    rows = (
        restrict(RentalHouse.objects.select_related("house__building"), user, Action.CHANGE)
        .filter(Q(house__code__istartswith=text) | Q(house__building__name__icontains=text))
        .order_by("house__code")[:PICKED]
    )
    return [{"id": r.pk, "label": f"{r.house.code} · {r.house.building.name}"} for r in rows]


def _stay_page(request, form: StayForm, stay: ForeignerStay | None = None, *, show_errors: bool):
    source = request.POST if request.method == "POST" else request.GET
    texts = {k: str(source.get(k, ""))[:100] for k in ("person_q", "rental_q")}
    rental = _picked(form, "rental") if form.is_bound else getattr(stay, "rental", None)
    return render(
        request,
        "lines/rentals/foreigner_edit.html",
        {
            "nav": "lines",
            "form": form,
            "stay": stay,
            "name": mask_name(stay.person.name) if stay else "",
            "texts": texts,
            "people": _options(
                _picked(form, "person"),
                people_found(request.user, texts["person_q"]),
                lambda p: p.name,
            ),
            "rentals": _options(
                rental, rentals_found(request.user, texts["rental_q"]), lambda r: r.house.code
            ),
            "show_errors": show_errors,
        },
    )


def _require_foreign(user: User) -> None:
    if not user_may(user, Action.VIEW_FOREIGN_AFFAIRS):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def foreigner_new(request):
    """A foreigner's stay: the person found by a registry search, the arrival, the police
    registration, the visa or permit's expiry and the rented house (found by its code)."""
    _require_foreign(request.user)
    data = request.POST if request.method == "POST" else None
    form = StayForm(data, user=request.user)
    saving = data is not None and request.POST.get("action") == "save"
    if saving and form.is_valid():
        try:
            rentals.record_stay(form.cleaned_data["person"], actor=request.user, **form.facts())
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("The stay is saved."))
            return redirect("lines:foreigners")
    return _stay_page(request, form, show_errors=saving)


@login_required
@require_http_methods(["GET", "POST"])
def foreigner_edit(request, pk: int):
    _require_foreign(request.user)
    stay = get_for_user(
        ForeignerStay.objects.select_related("person", "rental__house"),
        request.user,
        Action.VIEW_FOREIGN_AFFAIRS,
        pk=pk,
    )
    data = request.POST if request.method == "POST" else None
    form = StayForm(data, user=request.user, editing=True, initial=stay_initial(stay))
    saving = data is not None and request.POST.get("action") == "save"
    if saving and form.is_valid():
        try:
            rentals.update_stay(stay, actor=request.user, **form.facts())
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("The stay is saved."))
            return redirect("lines:foreigners")
    return _stay_page(request, form, stay, show_errors=saving)
