"""Settings pages for the functional departments (职能部门): list, create, edit."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gridgov.accounts import filters, services
from gridgov.accounts.forms import DepartmentForm
from gridgov.accounts.models import Department
from gridgov.accounts.scope import get_for_user, restrict
from gridgov.areas.models import Area, Level


def _action(user) -> str:
    action = services.department_action(user)
    if action is None:
        raise PermissionDenied
    return action


def _areas(user, action: str):
    areas = Area.objects.filter(level__in=[Level.DISTRICT, Level.STREET, Level.COMMUNITY])
    return restrict(areas, user, action).order_by("code")


@login_required
def department_list(request):
    listing = filters.DepartmentFilter(request.GET, request.user, _action(request.user))
    page = Paginator(listing.page_rows(), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/department_list.html",
        {
            "nav": "departments",
            "listing": listing,
            "page": page,
            "q": getattr(listing, "cleaned_data", {}).get("q", ""),
        },
    )


def _save(request, form: DepartmentForm, department: Department | None):
    data = form.cleaned_data
    try:
        if department is None:
            department = services.create_department(
                actor=request.user,
                **{k: data[k] for k in ("code", "name", "level", "area", "line", "phone")},
            )
            if not data["active"]:
                services.update_department(department, actor=request.user, active=False)
        else:
            services.update_department(department, actor=request.user, **data)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return None
    return redirect("accounts:department_list")


@login_required
@require_http_methods(["GET", "POST"])
def department_new(request):
    action = _action(request.user)
    form = DepartmentForm(request.POST or None, areas=_areas(request.user, action))
    if request.method == "POST" and form.is_valid():
        done = _save(request, form, None)
        if done:
            return done
    return render(
        request,
        "accounts/department_form.html",
        {"nav": "departments", "form": form, "title": _("New department")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def department_edit(request, department_id: int):
    action = _action(request.user)
    department = get_for_user(Department.objects.all(), request.user, action, pk=department_id)
    # The form works on a copy: the service reads the stored row, not one the form changed.
    form = DepartmentForm(
        request.POST or None,
        instance=Department.objects.get(pk=department.pk),
        areas=_areas(request.user, action),
    )
    if request.method == "POST" and form.is_valid():
        done = _save(request, form, department)
        if done:
            return done
    return render(
        request,
        "accounts/department_form.html",
        {
            "nav": "departments",
            "form": form,
            "department": department,
            "title": _("Edit department %(name)s") % {"name": department.name},
        },
    )
