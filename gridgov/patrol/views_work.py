"""Pages of tasks, visits and the work diary: the desk (assign, follow up, review) and the phone
(my tasks, complete one, my diary). Thin: filters and restrict in, services for every change;
outside the scope is 404."""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action, Role
from gridgov.accounts.scope import get_for_user, restrict, user_may
from gridgov.areas import queries as area_queries
from gridgov.areas.models import Level
from gridgov.patrol.filters_work import DiaryFilter, TaskFilter
from gridgov.patrol.models import DiaryEntry, DiaryTag, FieldVisit, Task, TaskKind, TaskStatus
from gridgov.patrol.services import diary as diary_services
from gridgov.patrol.services import work as services

AREA_LEVELS = [Level.STREET, Level.COMMUNITY, Level.GRID]
AREA_CHOICES = 500


class AssignForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=TaskKind.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=120)
    description = forms.CharField(
        label=gettext_lazy("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    due = forms.DateField(label=gettext_lazy("Due"), widget=forms.DateInput(attrs={"type": "date"}))
    members = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Members"), queryset=User.objects.none(), required=False
    )
    area = forms.ChoiceField(label=gettext_lazy("Or every member of the area"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = restrict(
            User.objects.filter(role=Role.GRID_MEMBER, is_active=True), user, Action.ASSIGN_TASKS
        ).order_by("username")
        # Picked by name (streets, communities, grids of the scope, indented), never a typed
        # code. A scope too large to list every grid (a district's thousand) offers its streets
        # and communities: cutting the list at a count would drop whole streets.
        scope = (
            area_queries.areas_for(user, Action.ASSIGN_TASKS)
            .active()
            .only("code", "name", "level")
            .order_by("code")
        )
        areas = list(scope.filter(level__in=AREA_LEVELS[:2])[:AREA_CHOICES])
        grids = scope.filter(level=Level.GRID)
        if len(areas) + grids.count() <= AREA_CHOICES:
            areas = sorted([*areas, *grids], key=lambda a: a.code)
        self.fields["area"].choices = [("", "—")] + [
            (a.code, "\u3000" * AREA_LEVELS.index(a.level) + a.name) for a in areas
        ]

    def clean_due(self) -> datetime.date:
        services.check_due_day(self.cleaned_data["due"])
        return self.cleaned_data["due"]

    def clean(self):
        data = super().clean()
        if not data.get("members") and not data.get("area"):
            raise ValidationError(_("Choose members or an area."))
        return data


class CompleteForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    photo = forms.FileField(label=gettext_lazy("Photo"), required=False)
    voice = forms.FileField(label=gettext_lazy("Voice note"), required=False)
    lon = forms.FloatField(widget=forms.HiddenInput, required=False, min_value=-180, max_value=180)
    lat = forms.FloatField(widget=forms.HiddenInput, required=False, min_value=-90, max_value=90)
    client_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)


class DiaryForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("What did you see or do?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
    )
    tags = forms.MultipleChoiceField(
        label=gettext_lazy("Tags"),
        choices=DiaryTag.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    day = forms.DateField(
        label=gettext_lazy("Day"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        required=False,
    )
    photo = forms.FileField(label=gettext_lazy("Photo"), required=False)
    voice = forms.FileField(label=gettext_lazy("Voice note"), required=False)
    lon = forms.FloatField(widget=forms.HiddenInput, required=False, min_value=-180, max_value=180)
    lat = forms.FloatField(widget=forms.HiddenInput, required=False, min_value=-90, max_value=90)
    client_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def clean_day(self) -> datetime.date | None:
        if self.cleaned_data["day"] is not None:
            diary_services.check_diary_day(self.cleaned_data["day"])
        return self.cleaned_data["day"]


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=gettext_lazy("Rating"), choices=[(i, str(i)) for i in range(5, 0, -1)], coerce=int
    )
    note = forms.CharField(label=gettext_lazy("Review note"), max_length=2000, required=False)


def _errors(form, exc: ValidationError) -> None:
    for message in exc.messages:
        form.add_error(None, message)


# ---------------------------------------------------------------------------------------------
# the desk


@login_required
@require_GET
def task_list(request):
    listed = TaskFilter(request.GET, request.user)
    page = Paginator(listed.page_rows(), 50).get_page(request.GET.get("page"))
    stats = services.task_statistics(restrict(Task.objects.all(), request.user, Action.VIEW))
    return render(
        request,
        "patrol/work/task_list.html",
        {
            "nav": "patrol",
            "page": page,
            "filters": listed,
            "stats": stats,
            "area_choices": area_queries.picker_choices(request.user),
            "may_assign": user_may(request.user, Action.ASSIGN_TASKS),
            "now": timezone.now(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_new(request):
    if not user_may(request.user, Action.ASSIGN_TASKS):
        raise PermissionDenied
    form = AssignForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            task_input = services.TaskInput(
                kind=data["kind"],
                title=data["title"],
                description=data["description"],
                due=services.end_of_local_day(data["due"]),
            )
            try:
                if data["members"]:
                    made = services.assign_task(request.user, task_input, list(data["members"]))
                else:
                    made = services.assign_to_area(request.user, task_input, data["area"])
            except ValidationError as exc:
                _errors(form, exc)
            else:
                messages.success(request, _("%(n)d tasks assigned.") % {"n": len(made)})
                return redirect("patrol:work_tasks")
        status = 400
    return render(
        request, "patrol/work/task_form.html", {"nav": "patrol", "form": form}, status=status
    )


@login_required
@require_GET
def task_detail(request, pk: int):
    task = get_for_user(
        Task.objects.select_related("assignee", "assigned_by", "person"), request.user, pk=pk
    )
    visits = list(task.visits.select_related("visit").order_by("-id"))
    return render(
        request,
        "patrol/work/task_detail.html",
        {"nav": "patrol", "task": task, "visits": visits},
    )


@login_required
@require_GET
def task_photo(request, pk: int):
    task = get_for_user(Task.objects.all(), request.user, pk=pk)
    if not task.photo:
        raise Http404
    response = FileResponse(task.photo.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def diary_list(request):
    listed = DiaryFilter(request.GET, request.user)
    page = Paginator(listed.page_rows(), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "patrol/work/diary_list.html",
        {
            "nav": "patrol",
            "page": page,
            "filters": listed,
            "area_choices": area_queries.picker_choices(request.user),
            "review_form": ReviewForm(),
            "may_review": user_may(request.user, Action.REVIEW_DIARY),
        },
    )


def _entry(request, pk: int) -> DiaryEntry:
    return get_for_user(DiaryFilter({}, request.user).base(), request.user, pk=pk)


@login_required
@require_GET
def diary_media(request, pk: int, what: str):
    """A diary entry's photo or voice note, to those who may see the entry."""
    if what not in ("photo", "voice"):
        raise Http404
    entry = _entry(request, pk)
    stored = getattr(entry, what)
    if not stored:
        raise Http404
    content_type = "image/jpeg" if what == "photo" else entry.voice_type
    response = FileResponse(stored.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_GET
def visit_voice(request, pk: int):
    """A visit's voice note, to those who may see the visit."""
    evidence = get_for_user(FieldVisit.objects.all(), request.user, pk=pk)
    if not evidence.voice:
        raise Http404
    response = FileResponse(evidence.voice.open("rb"), content_type=evidence.voice_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_POST
def diary_review(request, pk: int):
    entry = _entry(request, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Rate from 1 to 5."))
        return redirect("patrol:work_diary")
    diary_services.review_diary(
        entry,
        actor=request.user,
        rating=form.cleaned_data["rating"],
        note=form.cleaned_data["note"],
    )
    messages.success(request, _("The entry is reviewed."))
    return redirect("patrol:work_diary")


@login_required
@require_POST
def diary_case(request, pk: int):
    entry = _entry(request, pk)
    try:
        case, _created = diary_services.diary_to_case(entry, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        back = "patrol:work_phone_diary" if request.POST.get("phone") else "patrol:work_diary"
        return redirect(back)
    messages.success(request, _("The entry became a case: %(title)s") % {"title": case.title})
    if request.POST.get("phone"):
        return redirect("patrol:work_phone_diary")
    return redirect("cases:detail", case.pk)


# ---------------------------------------------------------------------------------------------
# the phone


@login_required
@require_GET
def phone_tasks(request):
    mine = restrict(Task.objects.filter(assignee=request.user), request.user, Action.VIEW)
    open_tasks = list(mine.filter(status=TaskStatus.OPEN).order_by("due", "id")[:100])
    since = timezone.now() - datetime.timedelta(days=7)
    done = list(
        mine.filter(status=TaskStatus.DONE, completed_at__gte=since).order_by("-completed_at")[:20]
    )
    return render(
        request,
        "patrol/work/phone_tasks.html",
        {"open_tasks": open_tasks, "done": done, "now": timezone.now(), "tab": "tasks"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def phone_task(request, pk: int):
    task = get_for_user(
        Task.objects.filter(assignee=request.user).select_related("person"), request.user, pk=pk
    )
    form = CompleteForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                _complete(request, task, data)
            except ValidationError as exc:
                _errors(form, exc)
            else:
                messages.success(request, _("Task done."))
                return redirect("patrol:work_phone_tasks")
        status = 400
    return render(
        request,
        "patrol/work/phone_task.html",
        {"task": task, "form": form, "tab": "tasks", "now": timezone.now()},
        status=status,
    )


def _complete(request, task: Task, data: dict) -> None:
    if task.kind == TaskKind.VISIT and task.person_id and task.status == TaskStatus.OPEN:
        person = task.person
        services.record_field_visit(
            person,  # type: ignore[arg-type]
            actor=request.user,
            note=data["note"],
            lon=data["lon"],
            lat=data["lat"],
            client_key=data["client_key"] or None,
            voice=data["voice"],
        )
        return
    services.complete_task(
        task,
        actor=request.user,
        note=data["note"],
        lon=data["lon"],
        lat=data["lat"],
        photo=data["photo"],
        completion_key=data["client_key"] or None,
    )


@login_required
@require_http_methods(["GET", "POST"])
def phone_diary(request):
    # today is offered (and may be changed): an empty date field read as one to fill
    form = DiaryForm(
        request.POST or None, request.FILES or None, initial={"day": timezone.localdate()}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            diary_input = diary_services.DiaryInput(
                text=data["text"],
                tags=data["tags"],
                day=data["day"],
                lon=data["lon"],
                lat=data["lat"],
            )
            try:
                diary_services.write_diary(
                    actor=request.user,
                    data=diary_input,
                    photo=data["photo"],
                    voice=data["voice"],
                    client_key=data["client_key"] or None,
                )
            except ValidationError as exc:
                _errors(form, exc)
            else:
                messages.success(request, _("Diary entry saved."))
                return redirect("patrol:work_phone_diary")
        status = 400
    entries = list(
        restrict(DiaryEntry.objects.filter(author=request.user), request.user, Action.REPORT)
        .select_related("made_case")
        .order_by("-day", "-id")[:30]
    )
    return render(
        request,
        "patrol/work/phone_diary.html",
        {"form": form, "entries": entries, "tab": "diary"},
        status=status,
    )
