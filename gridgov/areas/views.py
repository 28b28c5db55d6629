import json
import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import restrict, user_may
from gridgov.areas import queries, services
from gridgov.areas.cards import facts_for
from gridgov.areas.coding import next_child_code
from gridgov.areas.console import CONSOLE_SCRIPTS
from gridgov.areas.forms import (
    AreaEditForm,
    AreaForm,
    BoundaryForm,
    ImportForm,
    MoveForm,
    RetireForm,
)
from gridgov.areas.geojson_io import export_collection, plan_import, single_geometry
from gridgov.areas.models import Area, Level
from gridgov.audit.models import ChangeLog
from gridgov.jobs.services import enqueue


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def console(request):
    roots = queries.roots_for(request.user)
    wanted = request.GET.get("area", "")
    if not (wanted and queries.areas_for(request.user).filter(code=wanted).exists()):
        wanted = roots[0].code if roots else ""
    selected = wanted
    return render(
        request,
        "areas/console.html",
        {
            "nav": "console",
            "roots": roots,
            "selected": selected,
            "can_manage": user_may(request.user, Action.MANAGE_AREAS),
            "console_scripts": CONSOLE_SCRIPTS,
        },
    )


@login_required
def children(request, code: str):
    area = queries.get_area_for_user(request.user, code)
    nodes = queries.areas_for(request.user).active().filter(parent=area).order_by("code")
    return render(request, "areas/_tree_nodes.html", {"nodes": nodes})


STAFF_SHOWN = 60  # rows of the staff table on an area's card; the count above it is the real one


@login_required
def card(request, code: str):
    area = queries.get_area_for_user(request.user, code)
    staff = queries.staff_of(request.user, area).order_by("area_code", "force_type")
    shown = list(staff.select_related("grid")[:STAFF_SHOWN])
    return render(
        request,
        "areas/_card.html",
        {
            "area": area,
            "chain": queries.chain_of(area),
            "facts": facts_for(area, request.user),
            "staff": shown,
            "staff_count": staff.count() if len(shown) == STAFF_SHOWN else len(shown),
            "can_manage": user_may(request.user, Action.MANAGE_AREAS) and not area.retired,
            "child_level": Level.child_of(area.level),
        },
    )


@login_required
def search(request):
    results = queries.search(request.user, request.GET.get("q", ""))
    return render(
        request, "areas/_search.html", {"results": results, "q": request.GET.get("q", "")}
    )


def _managed_area(request, code: str) -> Area:
    return queries.get_area_for_user(request.user, code, Action.MANAGE_AREAS)


@login_required
@require_http_methods(["GET", "POST"])
def new_child(request, code: str):
    parent = _managed_area(request, code)
    level = Level.child_of(parent.level)
    if level is None or parent.retired:
        raise Http404
    taken = set(queries.areas_for(request.user, within=parent.code).values_list("code", flat=True))
    form = AreaForm(
        request.POST or None, initial={"code": next_child_code(parent.code, level, taken)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            area = services.create_area(
                services.AreaInput(parent_code=parent.code, level=level, **form.cleaned_data),
                actor=request.user,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return redirect(f"{_console_url()}?area={area.code}")
    return render(
        request,
        "areas/form.html",
        {
            "form": form,
            "area": parent,
            "title": _("New %(level)s in %(parent)s")
            % {"level": Level(level).label, "parent": parent.name},
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, code: str):
    area = _managed_area(request, code)
    form = AreaEditForm(
        request.POST or None,
        initial={"name": area.name, "kind": area.kind, "risk": area.risk, "note": area.note},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_area(area, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return redirect(f"{_console_url()}?area={area.code}")
    return render(
        request,
        "areas/form.html",
        {"form": form, "area": area, "title": _("Edit %(name)s") % {"name": area.name}},
    )


@login_required
@require_http_methods(["GET", "POST"])
def move(request, code: str):
    area = _managed_area(request, code)
    form = MoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            parent = queries.get_area_for_user(
                request.user, form.cleaned_data["parent_code"], Action.MANAGE_AREAS
            )
        except Http404:
            form.add_error("parent_code", _("No area with this code in your scope."))
        else:
            try:
                moved = services.move_area(
                    area, parent, actor=request.user, new_code=form.cleaned_data["new_code"] or None
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                return redirect(f"{_console_url()}?area={moved.code}")
    return render(
        request,
        "areas/form.html",
        {
            "form": form,
            "area": area,
            "title": _("Move %(name)s") % {"name": area.name},
            "danger": _(
                "Moving changes the codes of the area, its subtree and every record in it."
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def retire(request, code: str):
    area = _managed_area(request, code)
    form = RetireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.retire_area(area, actor=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return redirect(
                f"{_console_url()}?area={area.parent.code if area.parent else area.code}"
            )
    return render(
        request,
        "areas/form.html",
        {
            "form": form,
            "area": area,
            "title": _("Retire %(name)s") % {"name": area.name},
            "danger": _("The area and its subtree leave the map; their records and history stay."),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def boundary(request, code: str):
    area = _managed_area(request, code)
    form = BoundaryForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            geometry = _boundary_input(form)
            services.set_boundary(area, geometry, actor=request.user, crs=form.cleaned_data["crs"])
        except ValidationError as exc:
            form.add_error(None, exc.messages)  # the drawn boundary is a hidden field
        else:
            return redirect(f"{_console_url()}?area={area.code}")
    siblings = (
        queries.areas_for(request.user)
        .active()
        .filter(parent_id=area.parent_id)
        .exclude(pk=area.pk)
    )
    return render(
        request,
        "areas/boundary.html",
        {
            "form": form,
            "area": area,
            "area_geojson": area.geometry,
            "context_geojson": export_collection(list(siblings[:500])),
        },
    )


def _boundary_input(form) -> dict:
    upload = form.cleaned_data.get("file")
    if upload:
        if upload.size > settings.GRIDGOV_MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is too large."))
        return single_geometry(upload.read())
    text = form.cleaned_data.get("geometry") or ""
    if not text.strip():
        raise ValidationError(_("Draw the boundary on the map or upload a file."))
    return single_geometry(text)


@login_required
def history(request, code: str):
    area = queries.get_area_for_user(request.user, code)
    entries = restrict(ChangeLog.objects.all(), request.user).filter(
        object_type="areas.area", object_id=str(area.pk)
    )[:100]
    return render(
        request,
        "areas/history.html",
        {"area": area, "entries": entries, "versions": area.boundary_versions.all()[:20]},
    )


def _console_url() -> str:
    return reverse("areas:console")


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request):
    if not user_may(request.user, Action.MANAGE_AREAS):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {
        "form": form,
        "nav": "areas",
        "roots": queries.roots_for(request.user),
        "grid_width": settings.GRIDGOV_GRID_SEQ_WIDTH,
    }
    if request.method == "POST" and "upload_id" in request.POST:
        upload_id = request.POST["upload_id"]
        path = _upload_path(upload_id)
        if not path.exists():
            raise Http404
        job = enqueue(
            "areas.import_geojson",
            {
                "path": str(path),
                "crs": request.POST.get("crs", "wgs84"),
                "actor_id": request.user.pk,
            },
            actor=request.user,
            unique_key=f"areas.import:{upload_id}",
        )
        context["job"] = job
        return render(request, "areas/import.html", context)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.GRIDGOV_MAX_UPLOAD_BYTES:
            form.add_error(
                "file",
                _("The file is too large (limit %(mb)d MB).")
                % {"mb": settings.GRIDGOV_MAX_UPLOAD_BYTES // 2**20},
            )
        else:
            raw = upload.read()
            plan = plan_import(raw, crs=form.cleaned_data["crs"], actor=request.user)
            context["plan"] = plan
            context["summary"] = plan.summary()
            if plan.ok:
                upload_id = uuid.uuid4().hex
                _upload_path(upload_id).write_bytes(raw)
                context["upload_id"] = upload_id
                context["crs"] = form.cleaned_data["crs"]
    return render(request, "areas/import.html", context)


def _upload_path(upload_id: str):
    if not upload_id.isalnum() or len(upload_id) > 64:
        raise Http404
    folder = settings.VAR_DIR / "uploads"
    folder.mkdir(exist_ok=True)
    return folder / f"{upload_id}.geojson"


@login_required
def export(request):
    root = queries.get_area_for_user(request.user, request.GET.get("root", ""), Action.EXPORT)
    levels = [lv for lv in request.GET.get("levels", "grid").split(",") if lv in Level.values]
    areas = (
        queries.areas_for(request.user, Action.EXPORT, within=root.code)
        .active()
        .filter(level__in=levels)
        .order_by("code")
    )
    body = json.dumps(export_collection(list(areas)), ensure_ascii=False)
    response = HttpResponse(body, content_type="application/geo+json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="areas-{root.code}.geojson"'
    return response
