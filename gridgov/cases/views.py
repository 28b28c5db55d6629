from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridgov.accounts.models import Department
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import user_may
from gridgov.areas import queries as area_queries
from gridgov.cases import filters, queries, services, whistle
from gridgov.cases.forms import HotlineForm, ReportForm
from gridgov.cases.models import (
    Attachment,
    AttachmentKind,
    CaseRequest,
    Category,
    Channel,
    Grade,
    RequestStatus,
    Status,
    VoiceNote,
)
from gridgov.cases.routing import dispatch_choices, route


@login_required
def queue_list(request):
    params = request.GET.copy()
    if not params.get("queue"):
        params["queue"] = queries.default_queue(request.user)  # the page opens on the role's
    listing = filters.CaseFilter(params, request.user)
    if not listing.is_valid() and "queue" in listing.errors:
        raise Http404
    page = Paginator(listing.page_rows(), 30).get_page(request.GET.get("page"))
    names = area_queries.names_by_level(c.area_code for c in page)
    for c in page:
        c.area_names = names.get(c.area_code, {})
    tabs = [
        (q, label, queries.queue(request.user, q).count() if q != "all" else None)
        for q, label in queries.QUEUE_LABELS.items()
    ]
    return render(
        request,
        "cases/queue.html",
        {
            "nav": "cases",
            "page": page,
            "listing": listing,
            "queue": listing.queue_name(),
            "may_take_calls": request.user.role in services.COMMAND_ROLES,
            "tabs": tabs,
            "statuses": Status.choices,
            "majors": Category.objects.filter(parent__isnull=True),
            "area_choices": area_queries.picker_choices(request.user),
        },
    )


@login_required
def case_detail(request, pk: int):
    case = queries.get_case_for_user(request.user, pk)
    actions = services.allowed_actions(case, request.user)
    names = {t.action for t in actions}
    context = {
        "nav": "cases",
        "case": case,
        "events": case.events.select_related("department").prefetch_related(
            "attachments", "voice_notes"
        ),
        "attachments": case.attachments.all(),
        "cards": case.cards.all(),
        "area_names": area_queries.names_by_level([case.area_code]).get(case.area_code, {}),
        "held_by": area_queries.name_of(case.level_code),
        "pending": case.requests.filter(status=RequestStatus.PENDING),
        "actions": actions,
        "reporter": queries.reporter_shown(
            request.user,
            case,
            full=services.may_command(request.user, case) or case.reporter_id == request.user.pk,
        ),
    }
    if "dispatch" in names:
        context["departments"] = dispatch_choices(case)
        context["suggested"] = route(case)
    if "merge" in names:
        context["duplicates"] = queries.duplicates_for(request.user, case)
    context["may_rate"] = case.status == Status.CLOSED and (
        services.may_command(request.user, case) or case.reporter_id == request.user.pk
    )
    context["rating_choices"] = [
        (5, _("5 · very satisfied")),
        (4, _("4 · satisfied")),
        (3, _("3 · acceptable")),
        (2, _("2 · dissatisfied")),
        (1, _("1 · very dissatisfied")),
    ]
    context["whistle_calls"] = case.whistle_calls.select_related("department")
    context["my_summons"] = whistle.open_call_for(request.user, case)
    if whistle.may_blow(request.user, case):
        context["whistle_departments"] = dispatch_choices(case)
    if "grade" in names:
        context["grades"] = [g for g in Grade.choices if g[0] != case.grade]
    from gridgov.lines.views_disputes_forms import case_links  # the dispute made of the case

    context.update(case_links(request.user, case))
    return render(request, "cases/detail.html", context)


def _photos_from(request) -> list:
    uploads = []
    for field, kind in (
        ("photo", AttachmentKind.REPORT),
        ("photo_before", AttachmentKind.BEFORE),
        ("photo_after", AttachmentKind.AFTER),
    ):
        for f in request.FILES.getlist(field):
            uploads.append(((f.read(), f.name), kind))
    checked = services.check_photos([u for u, _k in uploads])
    return list(zip(checked, [k for _u, k in uploads], strict=True))


@login_required
@require_POST
def case_action(request, pk: int, action: str):
    case = queries.get_case_for_user(request.user, pk)
    post = request.POST
    try:
        photos = _photos_from(request)
        department = None
        if post.get("department"):
            department = Department.objects.filter(pk=_record_id(post, "department")).first()
            if department is None:
                raise ValidationError({"department": _("Unknown department.")})
        target = None
        if post.get("target"):
            try:
                target = queries.get_case_for_user(request.user, _record_id(post, "target"))
            except Http404:
                raise ValidationError({"target": _("No such case in your scope.")}) from None
        request_obj = None
        if post.get("request"):
            request_obj = CaseRequest.objects.filter(
                case=case, pk=_record_id(post, "request")
            ).first()
        services.perform(
            case,
            action,
            actor=request.user,
            note=post.get("note", ""),
            department=department,
            hours=_int(post.get("hours")),
            request=request_obj,
            grant={"1": True, "0": False}.get(post.get("grant", "")),
            target=target,
            lon=_float(post.get("lon")),
            lat=_float(post.get("lat")),
            crs=post.get("crs", "wgs84"),
            photos=photos,
            grade=post.get("grade") or None,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Done."))
    # The phone's case page keeps the member in the phone app (only a page of it).
    back = post.get("next", "")
    if back.startswith("/m/") and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}
    ):
        return redirect(back)
    return redirect("cases:detail", pk=case.pk)


def _record_id(post, field: str) -> int:
    """A record number from a form field, or a message saying it is not one."""
    value = post.get(field, "").strip()
    if not value.isascii() or not value.isdigit() or not 0 < int(value) < 2**63:
        raise ValidationError({field: _("Not a record number: %(v)s") % {"v": value[:20]}})
    return int(value)


def _int(value):
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        raise ValidationError({"hours": _("Give a whole number.")}) from None


def _float(value):
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        raise ValidationError(
            {"lon": _("The position is not a valid longitude and latitude.")}
        ) from None


HOTLINE_WORDS = {
    "grid": gettext_lazy("In: "),
    "finding": gettext_lazy("Finding the grid…"),
    "none": gettext_lazy("No address found: try fewer words, or tap the map."),
    "earlier": gettext_lazy("%(n)s earlier reports from this number that you may see:"),
    "first": gettext_lazy("No earlier reports from this number."),
}


def _report(request, form_class, template: str, channel: str):
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            photos = [p for p, _k in _photos_from(request)]
            case, created = services.report_case(
                actor=request.user,
                channel=channel,
                description=data["description"],
                category=data["category"] or None,
                lon=data["lon"],
                lat=data["lat"],
                crs=data["crs"],
                address=data["address"],
                idempotency_key=data["idempotency_key"] or None,
                urgency=data["urgency"],
                reporter_name=data.get("caller_name", ""),
                reporter_phone=data.get("caller_phone", ""),
                photos=photos,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            if created:
                messages.success(request, _("Case %(n)s reported.") % {"n": case.number})
            return redirect("cases:detail", pk=case.pk)
    context = {"nav": "report", "form": form, "geo_words": GEO_WORDS}
    if channel == Channel.HOTLINE:
        context["hotline_words"] = HOTLINE_WORDS
    return render(request, template, context)


# What the report page's script says when the browser cannot give a position (its own messages
# are in the browser's language, often English): keyed by GeolocationPositionError.code.
GEO_WORDS = {
    "unsupported": gettext_lazy("This browser cannot give a position: tap the map."),
    "locating": gettext_lazy("Finding your position…"),
    "1": gettext_lazy("Location permission was refused: allow it in the browser, or tap the map."),
    "2": gettext_lazy("The position is not available right now: tap the map."),
    "3": gettext_lazy("Finding the position took too long: try again, or tap the map."),
}


@login_required
@require_http_methods(["GET", "POST"])
def report(request):
    """The grid member's report page (made for a phone: GPS, camera, a few fields)."""
    if not user_may(request.user, Action.REPORT):
        raise PermissionDenied
    return _report(request, ReportForm, "cases/report.html", Channel.GRID_MEMBER)


@login_required
@require_http_methods(["GET", "POST"])
def hotline(request):
    """A command-center operator records a caller's report."""
    if request.user.role not in services.COMMAND_ROLES:
        raise PermissionDenied
    return _report(request, HotlineForm, "cases/hotline.html", Channel.HOTLINE)


@login_required
def case_map(request):
    return render(
        request,
        "cases/map.html",
        {
            "nav": "case_map",
            "statuses": Status.choices,
            "majors": Category.objects.filter(parent__isnull=True),
            "map_words": {
                "cases": _("cases"),
                "noCard": _("Open case within its time limit"),
                "yellow": _("Yellow card: time limit passed"),
                "red": _("Red card: time limit passed far"),
                "outline": _("Community outlines"),
            },
        },
    )


@login_required
def attachment(request, pk: int, variant: str):
    """A photo, served only to those who may see its case; `public` has no metadata."""
    if variant not in ("original", "public", "thumbnail"):
        raise Http404
    item = Attachment.objects.filter(pk=pk).select_related("case").first()
    if item is None:
        raise Http404
    queries.get_case_for_user(request.user, item.case_id)
    field = getattr(item, variant)
    content_type = "image/jpeg" if variant == "thumbnail" else item.content_type
    response = FileResponse(field.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_GET
def voice_note(request, pk: int):
    """A voice note, played only to those who may see its case."""
    item = VoiceNote.objects.filter(pk=pk).first()
    if item is None:
        raise Http404
    queries.get_case_for_user(request.user, item.case_id)
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_POST
def rate(request, pk: int):
    """The satisfaction visit (回访) of a closed case, recorded from the case page."""
    case = queries.get_case_for_user(request.user, pk)
    try:
        score = int(request.POST.get("score", ""))
    except ValueError:
        score = 0
    try:
        services.rate_case(case, score, actor=request.user, note=request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The satisfaction visit is recorded."))
    return redirect("cases:detail", pk=case.pk)
