"""Pages for the tables that steer the loop: classes with their limits and grade rules, and the
routing rules. Thin: forms read the input, taxonomy_services decides and logs."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gridgov.accounts.models import Department
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import restrict, user_may
from gridgov.cases import taxonomy_services as tables
from gridgov.cases.filters import CategoryFilter
from gridgov.cases.models import (
    Category,
    CategoryKind,
    Grade,
    GradeRule,
    HandlingLevel,
    RoutingRule,
    Stage,
    TimeLimit,
    TimeUnit,
)

ANY = "any"  # the page of the rules that hold for every class
AREA_CLASSES = [("", gettext_lazy("Any area class")), ("A", "A"), ("B", "B"), ("C", "C")]


class CategoryForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=12, required=False)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=CategoryKind.choices)
    parent = forms.ModelChoiceField(
        label=gettext_lazy("Major class"),
        queryset=Category.objects.filter(parent__isnull=True),
        required=False,
        to_field_name="code",
    )
    department_line = forms.CharField(
        label=gettext_lazy("Default department line"), max_length=50, required=False
    )
    filing_condition = forms.CharField(
        label=gettext_lazy("Filing condition"), max_length=500, required=False
    )
    closing_condition = forms.CharField(
        label=gettext_lazy("Closing condition"), max_length=500, required=False
    )
    legal_basis = forms.CharField(label=gettext_lazy("Legal basis"), max_length=500, required=False)
    natural_time = forms.BooleanField(label=gettext_lazy("Emergency: natural time"), required=False)
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)


class LimitForm(forms.Form):
    grade = forms.ChoiceField(
        label=gettext_lazy("Event grade"),
        choices=[("", gettext_lazy("Any grade")), *Grade.choices],
        required=False,
    )
    area_class = forms.ChoiceField(
        label=gettext_lazy("Area class"), choices=AREA_CLASSES, required=False
    )
    stage = forms.ChoiceField(label=gettext_lazy("Stage"), choices=Stage.choices)
    amount = forms.IntegerField(label=gettext_lazy("Amount"), min_value=1, max_value=10_000)
    unit = forms.ChoiceField(label=gettext_lazy("Time unit"), choices=TimeUnit.choices)


class GradeRuleForm(forms.Form):
    grade = forms.ChoiceField(label=gettext_lazy("Event grade"), choices=Grade.choices)
    natural_time = forms.BooleanField(label=gettext_lazy("Emergency: natural time"), required=False)
    handling_level = forms.ChoiceField(
        label=gettext_lazy("Handled at"), choices=HandlingLevel.choices, required=False
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)


class RoutingForm(forms.Form):
    category = forms.ModelChoiceField(
        label=gettext_lazy("Case class"),
        queryset=Category.objects.filter(active=True),
        required=False,
        to_field_name="code",
        empty_label=gettext_lazy("Any class"),
    )
    area_prefix = forms.CharField(
        label=gettext_lazy("Area code (this area and all below it)"), max_length=20, required=False
    )
    department = forms.ModelChoiceField(
        label=gettext_lazy("Department"), queryset=Department.objects.none()
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = restrict(Department.objects.filter(active=True), user)


def _require(request) -> None:
    if not user_may(request.user, Action.MANAGE_SETTINGS):
        raise PermissionDenied


def _category(code: str) -> Category | None:
    if code == ANY:
        return None
    category = Category.objects.filter(code=code).select_related("parent").first()
    if category is None:
        raise Http404
    return category


@login_required
def category_list(request):
    _require(request)
    listing = CategoryFilter(request.GET, request.user)
    page = Paginator(listing.page_rows(), 50).get_page(request.GET.get("page"))
    text = getattr(listing, "cleaned_data", {}).get("q", "")
    return render(
        request,
        "cases/settings/categories.html",
        {"nav": "case_settings", "page": page, "q": text, "listing": listing},
    )


def _detail(request, category, form, status=200):
    key = {"category": category}
    return render(
        request,
        "cases/settings/category.html",
        {
            "nav": "case_settings",
            "category": category,
            "code": category.code if category else ANY,
            "form": form,
            "limits": TimeLimit.objects.filter(**key).order_by("stage", "grade", "area_class"),
            "grade_rules": GradeRule.objects.filter(**key).order_by("grade"),
            "limit_form": LimitForm(),
            "grade_form": GradeRuleForm(),
        },
        status=status,
    )


@login_required
def category_edit(request, code: str):
    _require(request)
    category = _category(code) if code != "new" else None
    if code != "new" and category is None:  # the rules for any class have no form of their own
        return _detail(request, None, None)
    initial = {f: getattr(category, f) for f in tables.CATEGORY_FIELDS} if category else {}
    if category and category.parent:
        initial["parent"] = category.parent.code
    form = CategoryForm(request.POST or None, initial=initial or {"active": True})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        new_code = data.pop("code")
        try:
            category = tables.save_category(request.user, category, code=new_code, **data)
        except ValidationError as exc:
            for field, errors in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The class was saved."))
            return redirect("cases:settings_category", code=category.code)
    return _detail(request, category, form, status=400 if form.errors else 200)


def _post_rule(request, code: str, form_class, save) -> object:
    _require(request)
    category = _category(code)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            save(request.user, category, form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The rule was saved."))
    else:
        messages.error(
            request,
            " ".join(
                f"{form.fields[f].label}: {' '.join(e)}" if f in form.fields else " ".join(e)
                for f, e in form.errors.items()
            ),
        )
    return redirect("cases:settings_category", code=code)


@login_required
@require_POST
def limit_save(request, code: str):
    return _post_rule(
        request,
        code,
        LimitForm,
        lambda user, category, d: tables.save_time_limit(user, category=category, **d),
    )


@login_required
@require_POST
def grade_rule_save(request, code: str):
    return _post_rule(
        request,
        code,
        GradeRuleForm,
        lambda user, category, d: tables.save_grade_rule(user, category=category, **d),
    )


@login_required
@require_POST
def rule_delete(request, kind: str, pk: int):
    model = {"limit": TimeLimit, "grade": GradeRule, "routing": RoutingRule}.get(kind)
    if model is None:
        raise Http404
    if model is RoutingRule:
        rule = tables.routing_rules_for(request.user).filter(pk=pk).first()
    else:
        _require(request)
        rule = model.objects.select_related("category").filter(pk=pk).first()
    if rule is None:
        raise Http404
    back = (
        redirect("cases:settings_routing")
        if model is RoutingRule
        else redirect("cases:settings_category", code=rule.category.code if rule.category else ANY)
    )
    try:
        tables.delete_rule(request.user, rule)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The rule was removed."))
    return back


@login_required
def routing(request):
    if not (
        user_may(request.user, Action.MANAGE_SETTINGS)
        or user_may(request.user, Action.MANAGE_AREAS)
    ):
        raise PermissionDenied
    form = RoutingForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            tables.save_routing_rule(request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(
                None, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            )
        else:
            messages.success(request, _("The rule was saved."))
            return redirect("cases:settings_routing")
    rules = tables.routing_rules_for(request.user).order_by("-area_prefix", "category__code")
    page = Paginator(rules, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/settings/routing.html",
        {"nav": "case_settings", "page": page, "form": form},
        status=400 if form.errors else 200,
    )
