import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import get_for_user, restrict, user_may
from gridgov.areas import queries as area_queries
from gridgov.audit.models import ChangeLog
from gridgov.jobs.services import enqueue
from gridgov.registry import exports, filters, importing, queries, services, transfers
from gridgov.registry.forms import (
    ExportReasonForm,
    ImportForm,
    MergeForm,
    RevealForm,
    TagForm,
)
from gridgov.registry.models import (
    Building,
    Household,
    HouseState,
    OrganizationKind,
    PlaceKind,
    RegistrationType,
    Residence,
)
from gridgov.registry.models.people import KEY_CATEGORIES


@login_required
def people(request):
    listing = filters.PeopleFilter(request.GET, request.user)
    filtered = listing.page_rows()
    page, cursor = queries.keyset_page(
        filtered.defer(*queries.SEALED_FIELDS), request.GET.get("after", "")
    )
    count, capped = queries.count_capped(filtered)
    if listing.is_valid() and listing.shows_tags():
        queries.log_key_population_sight(request.user, page)
    params = request.GET.copy()
    params.pop("after", None)
    return render(
        request,
        "registry/people.html",
        {
            "nav": "registry",
            "listing": listing,
            "rows": [queries.present_person(p) for p in page],
            "next": cursor,
            "count": count,
            "capped": capped,
            "params": params.urlencode(),
            "registrations": RegistrationType.choices,
            "ages": queries.AGE_BANDS,
            "categories": KEY_CATEGORIES
            if user_may(request.user, Action.VIEW_KEY_POPULATION)
            else [],
            "may_export_personal": user_may(request.user, Action.EXPORT_PERSONAL),
            "area_choices": area_queries.picker_choices(request.user),
        },
    )


@login_required
def person(request, pk: int):
    target = queries.get_person_for_user(request.user, pk)
    revealed = None
    form = RevealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            revealed = services.reveal_person(
                target, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except PermissionDenied as exc:
            messages.error(request, str(exc))
    household = (
        restrict(
            Household.objects.filter(members__person=target, members__until__isnull=True),
            request.user,
        )
        .select_related("head", "house")
        .first()
    )
    members = (
        household.members.filter(until__isnull=True).select_related("person") if household else []
    )
    tags = None
    if user_may(request.user, Action.VIEW_KEY_POPULATION):
        tags = list(queries.tags_for(request.user).filter(person=target))
        queries.log_key_population_sight(request.user, tags, subject=target)
    return render(
        request,
        "registry/person.html",
        {
            "nav": "registry",
            "person": target,
            "shown": queries.present_person(target),
            "revealed": revealed,
            "form": form,
            "may_reveal": user_may(request.user, Action.VIEW_PERSONAL),
            "residences": restrict(
                Residence.objects.filter(person=target), request.user
            ).select_related("house__building"),
            "household": household,
            "members": members,
            "tags": tags,
            "tag_form": TagForm() if user_may(request.user, Action.VIEW_KEY_POPULATION) else None,
            "visits": restrict(target.visits.select_related("visitor"), request.user)[:20],
            "may_visit": user_may(request.user, Action.CHANGE),
            "history": restrict(ChangeLog.objects.all(), request.user).filter(
                object_type="registry.person", object_id=str(target.pk)
            )[:50],
            "merge_form": MergeForm(),
        },
    )


@login_required
@require_POST
def person_move_out(request, pk: int):
    target = queries.get_person_for_user(request.user, pk, Action.CHANGE)
    services.move_out(target, actor=request.user)
    messages.success(request, _("Moved out; the residence is kept in the history."))
    return redirect("registry:person", pk=pk)


@login_required
@require_POST
def person_merge(request, pk: int):
    keep = queries.get_person_for_user(request.user, pk, Action.CHANGE)
    form = MergeForm(request.POST)
    if form.is_valid():
        try:
            drop = queries.get_person_for_user(
                request.user, form.cleaned_data["other"], Action.CHANGE
            )
            services.merge_people(keep, drop, actor=request.user)
            messages.success(request, _("The two records are one now."))
        except (ValidationError, Http404) as exc:
            messages.error(
                request, " ".join(getattr(exc, "messages", [_("No such record in your scope.")]))
            )
    else:
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
    return redirect("registry:person", pk=pk)


@login_required
@require_POST
def person_visit(request, pk: int):
    target = queries.get_person_for_user(request.user, pk, Action.CHANGE)
    services.record_visit(target, actor=request.user, note=request.POST.get("note", "")[:2000])
    messages.success(request, _("The visit was recorded."))
    return redirect("registry:person", pk=pk)


@login_required
def key_populations(request):
    if not user_may(request.user, Action.VIEW_KEY_POPULATION):
        raise PermissionDenied
    listing = filters.KeyPopulationFilter(request.GET, request.user)
    page = Paginator(listing.page_rows(), 50).get_page(request.GET.get("page"))
    queries.log_key_population_sight(request.user, page.object_list)
    names = area_queries.names_by_level(t.area_code for t in page)
    today = timezone.localdate()
    for t in page:
        t.grid_name = names.get(t.area_code, {}).get("grid", "")
        t.next_visit = queries.next_visit_due(t)
        t.overdue = t.next_visit is not None and t.next_visit < today
    return render(
        request,
        "registry/key_populations.html",
        {
            "nav": "registry",
            "listing": listing,
            "page": page,
            "categories": KEY_CATEGORIES,
            "area_choices": area_queries.picker_choices(request.user),
        },
    )


@login_required
def buildings(request):
    listing = filters.BuildingFilter(request.GET, request.user)
    page = Paginator(listing.page_rows(), 50).get_page(request.GET.get("page"))
    context = {
        "nav": "registry",
        "listing": listing,
        "page": page,
        "area_choices": area_queries.picker_choices(request.user),
    }
    return render(request, "registry/buildings.html", context)


@login_required
def building(request, pk: int):
    target = get_for_user(Building.objects.all(), request.user, pk=pk)
    states = HouseState.choices
    return render(
        request,
        "registry/building.html",
        {
            "nav": "registry",
            "building": target,
            "table": queries.building_table(request.user, target),
            "states": states,
            "may_change": user_may(request.user, Action.CHANGE),
        },
    )


@login_required
def organizations(request):
    listing = filters.OrganizationFilter(request.GET, request.user)
    page = Paginator(listing.page_rows(), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/organizations.html",
        {
            "nav": "registry",
            "listing": listing,
            "page": page,
            "kinds": OrganizationKind.choices,
            "area_choices": area_queries.picker_choices(request.user),
        },
    )


@login_required
def places(request):
    listing = filters.PlaceFilter(request.GET, request.user)
    page = Paginator(listing.page_rows(), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/places.html",
        {
            "nav": "registry",
            "listing": listing,
            "page": page,
            "kinds": PlaceKind.choices,
            "area_choices": area_queries.picker_choices(request.user),
        },
    )


# ---------------------------------------------------------------------------------------------
# import and export


def _upload_path(token: str):
    if not token.isalnum():
        raise Http404
    folder = settings.VAR_DIR / "uploads"
    folder.mkdir(exist_ok=True)
    return folder / f"registry-{token}"


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request):
    if not user_may(request.user, Action.CHANGE):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"nav": "registry_import", "form": form, "entities": importing.ENTITY_LABELS}
    if request.method == "POST" and "token" in request.POST:
        token = request.POST["token"]
        path = _upload_path(token)
        if not path.exists():
            raise Http404
        mode = request.POST.get("mode", "good")
        entity, filename = (
            request.POST.get("entity", ""),
            request.POST.get("filename", "upload.csv"),
        )
        if entity not in importing.TEMPLATES or mode not in ("good", "all"):
            raise Http404
        context["job"] = enqueue(
            "registry.import",
            {
                "path": str(path),
                "entity": entity,
                "filename": filename,
                "mode": mode,
                "actor_id": request.user.pk,
            },
            actor=request.user,
            unique_key=f"registry.import:{token}",
        )
        return render(request, "registry/import.html", context)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.GRIDGOV_MAX_UPLOAD_BYTES:
            form.add_error(
                "file",
                _("The file is too large (limit %(mb)d MB).")
                % {"mb": settings.GRIDGOV_MAX_UPLOAD_BYTES // 2**20},
            )
        else:
            data = upload.read()
            try:
                report = importing.check(
                    form.cleaned_data["entity"], data, upload.name, actor=request.user
                )
            except ValidationError as exc:
                form.add_error("file", exc.messages)
            except transfers.MatchLimitReached as exc:
                form.add_error("file", str(exc))
            else:
                token = uuid.uuid4().hex
                _upload_path(token).write_bytes(data)
                context.update(
                    report=report.summary(),
                    token=token,
                    entity=form.cleaned_data["entity"],
                    filename=upload.name,
                )
    return render(request, "registry/import.html", context)


@login_required
def template(request, entity: str, fmt: str):
    if entity not in importing.TEMPLATES or fmt not in ("xlsx", "csv"):
        raise Http404
    if fmt == "xlsx":
        body, content_type = (
            importing.template_xlsx(entity),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        body, content_type = importing.template_csv(entity), "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="template-{entity}.{fmt}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def export_people(request, fmt: str):
    """The filtered list as Excel or CSV: masked; full personal data needs the right and a reason
    (every export is written to the access log)."""
    if fmt not in exports.FORMATS:
        raise Http404
    full = request.GET.get("personal") == "1"
    form = ExportReasonForm(request.POST or None)
    if full:
        services.authorize_export(request.user, personal=True)  # before asking for a reason
        if request.method != "POST" or not form.is_valid():
            return render(
                request,
                "registry/form.html",
                {"form": form, "title": _("Export full personal data")},
            )
    listing = filters.PeopleFilter(request.GET, request.user, Action.EXPORT)
    if not listing.is_valid():
        return HttpResponseBadRequest(" ".join(m for e in listing.errors.values() for m in e))
    asked = exports.ExportRequest(
        subject_type="registry.person",
        name="people",
        fmt=fmt,
        fields=["name", "sex", "birth_date", *(["id_number", "phone"] if full else [])],
        full=full,
        reason=form.cleaned_data["reason"] if full else "",
        area=listing.area_chosen(),
    )

    def table() -> exports.Table:
        people = list(listing.rows()[: exports.EXPORT_LIMIT])
        if listing.shows_tags():
            queries.log_key_population_sight(request.user, people)
        labels = dict(RegistrationType.choices)
        rows = []
        for p in people:
            shown = queries.present_person(p)
            rows.append(
                [
                    p.name,
                    (p.id_number or "") if full else shown["id_number"],
                    {"M": "男", "F": "女"}.get(p.sex, ""),
                    p.birth_date.isoformat() if p.birth_date else "",
                    p.phone if full else shown["phone"],
                    str(labels.get(p.registration, "")),
                    p.area_code,
                ]
            )
        headers = ["姓名", "公民身份号码", "性别", "出生日期", "联系电话", "人口类型", "区划编码"]
        return exports.Table(headers, rows, [p.area_code for p in people])

    return exports.export_table(request.user, asked, table)


@login_required
def export_organizations(request, fmt: str):
    """The filtered list of organizations: the phone masked, the legal representative in clear
    (written to the access log)."""
    if fmt not in exports.FORMATS:
        raise Http404
    listing = filters.OrganizationFilter(request.GET, request.user, Action.EXPORT)
    if not listing.is_valid():
        return HttpResponseBadRequest(" ".join(m for e in listing.errors.values() for m in e))
    asked = exports.ExportRequest(
        subject_type="registry.organization",
        name="organizations",
        fmt=fmt,
        fields=["legal_representative"],
        area=listing.area_chosen(),
    )

    def table() -> exports.Table:
        found = list(listing.rows()[: exports.EXPORT_LIMIT])
        rows = [
            [
                o.name,
                o.credit_code or "",
                o.get_kind_display(),
                o.industry,
                o.legal_representative,
                o.phone_masked,
                o.address,
                o.area_code,
            ]
            for o in found
        ]
        headers = [
            "单位名称",
            "统一社会信用代码",
            "单位类型",
            "行业",
            "法定代表人",
            "联系电话",
            "地址",
            "区划编码",
        ]
        return exports.Table(headers, rows, [o.area_code for o in found])

    return exports.export_table(request.user, asked, table)
