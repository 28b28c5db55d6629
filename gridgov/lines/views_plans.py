"""The administrators' pages of inspection plans: which places are inspected how often, against
which checklist. Saving goes through `hazards.save_plan`, which checks the right again and logs
the change."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import user_may
from gridgov.lines.models import InspectionPlan, PlaceType
from gridgov.lines.services import hazards as hs
from gridgov.registry.models import OrganizationKind

# A checklist line that begins with one of these marks an item whose failure is a major hazard.
MAJOR_MARKS = ("*", "＊", "!", "！")


def _require_settings(user) -> None:
    if not user_may(user, Action.MANAGE_SETTINGS):
        raise PermissionDenied


def checklist_text(plan: InspectionPlan) -> str:
    items = plan.current_items().order_by("position")
    return "\n".join(("* " if item.major else "") + item.text for item in items)


class PlanForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    place_type = forms.ChoiceField(label=gettext_lazy("Place type"), choices=PlaceType.choices)
    organization_kind = forms.ChoiceField(
        label=gettext_lazy("Organizations inspected"), choices=OrganizationKind.choices
    )
    interval_days = forms.IntegerField(
        label=gettext_lazy("Inspect every (days)"), min_value=1, max_value=3650
    )
    active = forms.BooleanField(
        label=gettext_lazy("Active (makes inspection tasks)"), required=False, initial=True
    )
    items = forms.CharField(
        label=gettext_lazy("Checklist"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=gettext_lazy(
            "One item per line. Begin a line with * when a failure of that item is a major hazard."
        ),
    )

    def clean_items(self) -> list[tuple[str, bool]]:
        items = []
        for line in self.cleaned_data["items"].splitlines():
            text = line.strip()
            major = text.startswith(MAJOR_MARKS)
            text = text.lstrip("".join(MAJOR_MARKS)).strip()
            if text:
                items.append((text, major))
        if not items:
            raise ValidationError(_("List at least one checklist item."))
        return items


@login_required
@require_GET
def plan_list(request):
    _require_settings(request.user)
    plans = InspectionPlan.objects.annotate(
        item_count=Count("items", filter=Q(items__retired=False)),
        open_tasks=Count("tasks", filter=Q(tasks__done=False), distinct=True),
    ).order_by("-active", "name")
    return render(request, "lines/hazards/plans.html", {"nav": "lines", "plans": plans})


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request, pk: int | None = None):
    """A new plan (no pk) or a change to one; the checklist is edited as lines of text."""
    _require_settings(request.user)
    plan = get_object_or_404(InspectionPlan, pk=pk) if pk is not None else None
    initial = (
        {
            "name": plan.name,
            "place_type": plan.place_type,
            "organization_kind": plan.organization_kind,
            "interval_days": plan.interval_days,
            "active": plan.active,
            "items": checklist_text(plan),
        }
        if plan
        else {"interval_days": 90, "active": True, "organization_kind": OrganizationKind.SHOP}
    )
    form = PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = hs.save_plan(
                actor=request.user,
                plan=plan,
                name=data["name"],
                place_type=data["place_type"],
                organization_kind=data["organization_kind"],
                interval_days=data["interval_days"],
                active=data["active"],
                items=data["items"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Inspection plan “%(name)s” saved.") % {"name": saved.name})
            return redirect("lines:inspection_plans")
    return render(
        request,
        "lines/hazards/plan_edit.html",
        {"nav": "lines", "plan": plan, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )
