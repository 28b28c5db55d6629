"""The public portal's pages (no login) and the staff's moderation pages."""

import datetime
import uuid

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import feedgenerator, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import get_for_user, restrict, user_may
from gridgov.accounts.system import PORTAL, system_user
from gridgov.cases.services import check_photos
from gridgov.cases.voice import CheckedVoiceNote, check_voice_note
from gridgov.masking import mask_phone
from gridgov.portal import address_search, queries, services
from gridgov.portal.filters import PublicReportFilter
from gridgov.portal.models import Citizen, Moderation, PortalReport, PublicCategory
from gridgov.portal.services import area_digest
from gridgov.portal.services.relay_actions import waiting_actions
from gridgov.portal.words import PIPL_NOTICE, STEP_LABELS

SESSION_KEY = "portal_citizen"
SESSION_HOURS = 12
MAX_PHOTOS = 4


def _portal():
    return system_user(PORTAL)


def current_citizen(request) -> Citizen | None:
    """The citizen whose phone this browser confirmed (by SMS code) in the last hours."""
    found = request.session.get(SESSION_KEY)
    if not found:
        return None
    pk, since = found
    if timezone.now().timestamp() - since > SESSION_HOURS * 3600:
        return None
    return Citizen.objects.filter(pk=pk, banned=False).first()


def _remember(request, citizen: Citizen) -> None:
    request.session[SESSION_KEY] = [citizen.pk, timezone.now().timestamp()]


def _errors(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def _ctx(request, **extra) -> dict:
    return {"citizen": current_citizen(request), "step_labels": STEP_LABELS, **extra}


# ---------------------------------------------------------------------------------------------
# home, list, map, statistics


@require_GET
def home(request):
    recent = queries.public_reports().order_by("-created_at", "-id")[:5]
    names = queries.street_names([r.street_code for r in recent])
    return render(
        request,
        "portal/home.html",
        _ctx(
            request,
            recent=[queries.public_dict(r, names) for r in recent],
            categories=queries.public_categories(),
            public_instance=settings.GRIDGOV_ROLE == "public",
        ),
    )


@require_GET
def reports(request):
    listed = PublicReportFilter(request.GET, request.user)
    rows = list(listed.page_rows()[:200])
    names = queries.street_names([r.street_code for r in rows])
    items = [queries.public_dict(r, names) for r in rows]
    streets = queries.street_stats()
    return render(
        request,
        "portal/reports.html",
        _ctx(
            request,
            form=listed,
            items=items,
            categories=queries.public_categories(),
            streets=streets,
            street=(listed.cleaned_data.get("street") or "") if listed.is_valid() else "",
            map_items=[
                {k: i[k] for k in ("number", "category", "icon", "status", "lon", "lat")}
                for i in items
                if i["lon"] is not None
            ],
        ),
    )


@require_GET
def stats(request):
    return render(request, "portal/stats.html", _ctx(request, streets=queries.street_stats()))


@require_GET
def feed(request, code: str):
    """An Atom feed of an area's public reports (a street, community or grid)."""
    name = queries.area_name(code)
    if name is None:
        raise Http404
    rows = (
        queries.public_reports()
        .filter(area_code__startswith=code)
        .order_by("-created_at", "-id")[:50]
    )
    atom = feedgenerator.Atom1Feed(
        title=_("Reports in %(area)s") % {"area": name},
        link=request.build_absolute_uri(reverse("portal:reports") + f"?street={code}"),
        description="",
        language="zh-hans",
        feed_url=request.build_absolute_uri(),
    )
    for r in rows:
        d = queries.public_dict(r, {})
        link = request.build_absolute_uri(reverse("portal:status", args=[r.number]))
        atom.add_item(
            title=f"{d['icon']} {d['category']} · {STEP_LABELS.get(d['status'], d['status'])}",
            link=link,
            unique_id=link,
            description=d["text"],
            pubdate=r.created_at,
            updateddate=r.created_at,
        )
    return HttpResponse(
        atom.writeString("utf-8"), content_type="application/atom+xml; charset=utf-8"
    )


@require_GET
def photo(request, number: str, index: int):
    report = queries.find_public(number)
    found = queries.public_photo(report, index) if report else None
    if found is None:
        raise Http404
    # The copy saved without metadata (no EXIF, no GPS): the original never leaves.
    return FileResponse(found.public.open("rb"), content_type=found.content_type)


# ---------------------------------------------------------------------------------------------
# report


class ReportForm(forms.Form):
    # Optional: a citizen not sure which to choose gets the one the description suggests.
    category = forms.ModelChoiceField(queryset=PublicCategory.objects.none(), required=False)
    description = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 4}))
    lon = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    address = forms.CharField(max_length=200, required=False)
    phone = forms.CharField(max_length=20, required=False)
    code = forms.CharField(max_length=8, required=False)
    notify = forms.BooleanField(required=False, initial=True)
    anonymous = forms.BooleanField(required=False)
    consent = forms.BooleanField(required=True)
    join = forms.CharField(max_length=32, required=False)
    idempotency_key = forms.CharField(max_length=64, min_length=8, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = PublicCategory.objects.all()
        self.fields["consent"].label = gettext_lazy("I have read the notice")


@require_http_methods(["GET", "POST"])
def report(request):
    citizen = current_citizen(request)
    errors: list[str] = []
    if request.method == "POST":
        form = ReportForm(request.POST)
        files = request.FILES.getlist("photo")[:MAX_PHOTOS]
        if form.is_valid():
            try:
                voice = _voice_note(request.FILES.get("voice"))
                created = _submit(request, form.cleaned_data, files, citizen, voice)
            except ValidationError as exc:
                errors = _errors(exc)
            except PermissionDenied as exc:
                errors = [str(exc)]
            else:
                return redirect("portal:status", number=created)
    else:
        form = ReportForm(initial={"idempotency_key": uuid.uuid4().hex, "notify": True})
    return render(
        request,
        "portal/report.html",
        _ctx(
            request,
            form=form,
            errors=errors,
            categories=queries.public_categories(),
            notice=PIPL_NOTICE,
            allow_anonymous=services.district_settings("").allow_anonymous,
            centre=queries.home_centre(),
        ),
        status=400 if request.method == "POST" else 200,
    )


def _voice_note(upload) -> CheckedVoiceNote | None:
    if upload is None or not upload.size:
        return None
    return check_voice_note(upload.read(settings.GRIDGOV_MAX_VOICE_BYTES + 1))


def _submit(
    request, data: dict, files, citizen: Citizen | None, voice: CheckedVoiceNote | None = None
) -> str:
    portal = _portal()
    if citizen is None and not data.get("anonymous"):
        if not data.get("phone") or not data.get("code"):
            raise ValidationError(_("Confirm your mobile number with the code sent by SMS."))
        citizen = services.confirm_code(data["phone"], data["code"], actor=portal)
        _remember(request, citizen)
    if data.get("join"):
        target = queries.find_public(data["join"])
        if target is None or citizen is None:
            raise ValidationError(_("That report cannot be joined."))
        services.join_report(target, citizen, actor=portal, note=data["description"])
        messages.success(request, _("You were added to this report: you will hear when it moves."))
        return target.number
    category = data.get("category")
    if category is None:
        suggested = queries.suggest_categories(data["description"], limit=1)
        if not suggested:
            raise ValidationError(
                _("Choose what the problem is: the description did not tell us which it is.")
            )
        category = suggested[0]
        messages.info(
            request,
            _("Filed as “%(name)s” from your description; the staff may correct it.")
            % {"name": category.label},
        )
    photos = check_photos([(f.read(), f.name) for f in files])
    created = services.submit_report(
        actor=portal,
        category=category,
        description=data["description"],
        citizen=None if data.get("anonymous") else citizen,
        lon=data.get("lon"),
        lat=data.get("lat"),
        address=data.get("address") or "",
        photos=photos,
        voice=voice,
        idempotency_key=data["idempotency_key"],
        notify=bool(data.get("notify")),
    )
    if created.anonymous:
        messages.success(
            request,
            _("Thank you. Your anonymous report %(n)s was received; it is not published.")
            % {"n": created.number},
        )
        request.session.setdefault("portal_anonymous", [])
        request.session["portal_anonymous"] = [*request.session["portal_anonymous"], created.number]
    else:
        messages.success(
            request, _("Thank you. Your report %(n)s was received.") % {"n": created.number}
        )
    return created.number


class PhoneForm(forms.Form):
    phone = forms.CharField(max_length=20)


@require_POST
def send_code(request):
    """Send a code to the phone (the report form's button; “my reports”)."""
    form = PhoneForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"code": "invalid", "message": _("Give a mobile number.")}, status=400)
    try:
        services.send_code(form.cleaned_data["phone"], actor=_portal())
    except ValidationError as exc:
        return JsonResponse({"code": "invalid", "message": " ".join(_errors(exc))}, status=400)
    except PermissionDenied as exc:
        return JsonResponse({"code": "refused", "message": str(exc)}, status=403)
    return JsonResponse({"sent": True})


# ---------------------------------------------------------------------------------------------
# follow a report


class AfterForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in ("follow", "rate", "not_fixed")])
    score = forms.IntegerField(required=False, min_value=1, max_value=5)
    note = forms.CharField(max_length=500, required=False)


def _visible_to(request, number: str) -> tuple[PortalReport, bool]:
    """The report and whether the asker reported it; 404 for anyone else when it is not public."""
    report = queries.find_any(number)
    if report is None:
        raise Http404
    citizen = current_citizen(request)
    own = citizen is not None and (
        report.citizen_id == citizen.pk or report.followers.filter(citizen=citizen).exists()
    )
    public = report.is_published or (
        report.moderation == Moderation.LISTED and not report.anonymous
    )
    if not (own or public) and number not in request.session.get("portal_anonymous", []):
        raise Http404
    return report, own


@require_http_methods(["GET", "POST"])
def status(request, number: str):
    report, own = _visible_to(request, number)
    portal = _portal()
    report = services.sync_report(report, actor=portal)
    citizen = current_citizen(request)
    errors: list[str] = []
    relayed = settings.GRIDGOV_ROLE == "public"
    if request.method == "POST":
        form = AfterForm(request.POST)
        if citizen is None:
            errors = [_("Confirm your mobile number first (my reports).")]
        elif form.is_valid():
            data = form.cleaned_data
            try:
                if data["action"] == "follow":
                    services.follow_report(report, citizen, actor=portal)
                    messages.success(request, _("You follow this report: an SMS at each step."))
                elif data["action"] == "rate":
                    if not data.get("score"):
                        raise ValidationError(_("Choose from 1 to 5 stars."))
                    services.rate_report(
                        report, citizen, data["score"], actor=portal, note=data.get("note") or ""
                    )
                    messages.success(
                        request,
                        _("Thank you: your rating is on its way to the district.")
                        if relayed
                        else _("Thank you for your rating."),
                    )
                else:
                    services.not_fixed(report, citizen, data.get("note") or "", actor=portal)
                    messages.success(
                        request,
                        _("Sent: the district will reopen the report and check it again.")
                        if relayed
                        else _("The report is reopened and will be checked again."),
                    )
                return redirect("portal:status", number=number)
            except ValidationError as exc:
                errors = _errors(exc)
            except PermissionDenied as exc:
                errors = [str(exc)]
        else:
            errors = [str(e) for errs in form.errors.values() for e in errs]
    names = queries.street_names([report.street_code])
    data = queries.public_dict(report, names)
    if not (report.is_published or report.moderation == Moderation.LISTED):
        data["text"] = ""
    until = services._may_reopen_until(report)
    is_reporter = citizen is not None and report.citizen_id == citizen.pk
    return render(
        request,
        "portal/status.html",
        _ctx(
            request,
            item=data,
            report=report,
            own=own,
            is_reporter=is_reporter,
            pending=report.moderation == Moderation.PENDING,
            may_reopen=is_reporter and until is not None and timezone.now() <= until,
            may_rate=is_reporter and data["status"] == "closed",
            errors=errors,
            waiting=waiting_actions(report) if relayed and is_reporter else [],
            following=citizen is not None and report.followers.filter(citizen=citizen).exists(),
        ),
        status=400 if errors else 200,
    )


class CodeForm(forms.Form):
    phone = forms.CharField(max_length=20)
    code = forms.CharField(max_length=8)


@require_http_methods(["GET", "POST"])
def mine(request):
    """“My reports”: by the phone number and an SMS code."""
    errors: list[str] = []
    if request.method == "POST":
        form = CodeForm(request.POST)
        if form.is_valid():
            try:
                citizen = services.confirm_code(
                    form.cleaned_data["phone"], form.cleaned_data["code"], actor=_portal()
                )
            except ValidationError as exc:
                errors = _errors(exc)
            else:
                _remember(request, citizen)
                return redirect("portal:mine")
        else:
            errors = [_("Give the mobile number and the code.")]
    citizen = current_citizen(request)
    items = []
    if citizen is not None:
        rows = PortalReport.objects.filter(followers__citizen=citizen).select_related("category")
        rows = rows.distinct().order_by("-created_at", "-id")[:100]
        names = queries.street_names([r.street_code for r in rows])
        items = [
            queries.public_dict(r, names) | {"pending": r.moderation == Moderation.PENDING}
            for r in rows
        ]
    return render(
        request,
        "portal/mine.html",
        _ctx(
            request,
            items=items,
            errors=errors,
            masked=mask_phone(citizen.phone) if citizen else "",
            subscriptions=_followed_areas(citizen) if citizen else [],
        ),
        status=400 if errors else 200,
    )


@require_POST
def forget(request):
    request.session.pop(SESSION_KEY, None)
    return redirect("portal:home")


class AreaForm(forms.Form):
    area = forms.RegexField(regex=r"^[0-9]{6,20}$", max_length=20)


def _followed_areas(citizen) -> list[dict]:
    codes = list(citizen.areas.order_by("area_code").values_list("area_code", flat=True))
    names = queries.area_names(codes)
    return [{"code": c, "name": names.get(c, c)} for c in codes]


@require_POST
def unsubscribe(request):
    citizen = current_citizen(request)
    form = AreaForm(request.POST)
    if citizen is None or not form.is_valid():
        messages.error(request, _("Confirm your mobile number first (my reports)."))
        return redirect("portal:mine")
    try:
        area_digest.unsubscribe_area(citizen, form.cleaned_data["area"], actor=_portal())
    except ValidationError as exc:
        messages.error(request, " ".join(_errors(exc)))
    else:
        messages.success(request, _("You no longer get SMS about this area."))
    return redirect("portal:mine")


@require_POST
def subscribe(request):
    citizen = current_citizen(request)
    form = AreaForm(request.POST)
    if citizen is None or not form.is_valid():
        messages.error(request, _("Confirm your mobile number first (my reports)."))
        return redirect("portal:mine")
    try:
        services.subscribe_area(citizen, form.cleaned_data["area"], actor=_portal())
    except ValidationError as exc:
        messages.error(request, " ".join(_errors(exc)))
    else:
        messages.success(request, _("You will get an SMS about new reports in this area."))
    return redirect("portal:mine")


# ---------------------------------------------------------------------------------------------
# find my grid member


class GridForm(forms.Form):
    lon = forms.FloatField(required=False, min_value=-180, max_value=180)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90)
    code = forms.RegexField(required=False, regex=r"^[0-9]{6,20}$", max_length=20)
    address = forms.CharField(required=False, max_length=100)


@require_GET
def grid(request):
    query = request.GET.copy()
    asked = bool(query)
    form = GridForm(query)
    card = None
    matches: list[dict] = []
    if form.is_valid():
        d = form.cleaned_data
        code = d.get("code") or ""
        if not code and d.get("lon") is not None and d.get("lat") is not None:
            code = queries.grid_at(d["lon"], d["lat"]) or ""
        if not code and d.get("address"):
            matches = address_search.search(d["address"])
            if len(matches) == 1:
                code = matches[0].get("grid") or ""
        if code:
            card = queries.grid_card(code)
    return render(
        request,
        "portal/grid.html",
        _ctx(
            request,
            form=form,
            card=card,
            matches=matches,
            asked=asked,
            centre=queries.home_centre(),
        ),
        status=400 if not form.is_valid() else 200,
    )


@require_GET
def grid_qr(request, code: str):
    """The QR code for a grid's notice board: it opens the grid's card on the portal."""
    if queries.grid_card(code) is None:
        raise Http404
    url = request.build_absolute_uri(reverse("portal:grid") + f"?code={code}")
    svg = segno.make(url, error="m").svg_inline(scale=6)
    return HttpResponse(svg, content_type="image/svg+xml")


# ---------------------------------------------------------------------------------------------
# staff: moderation


def _moderator(request) -> None:
    if not user_may(request.user, Action.MODERATE_PORTAL):
        raise PermissionDenied(_("You may not moderate the public portal."))


@login_required
@require_GET
def moderation(request):
    _moderator(request)
    rows = restrict(PortalReport.objects.all(), request.user, Action.MODERATE_PORTAL)
    waiting = list(
        rows.filter(moderation__in=[Moderation.PENDING, Moderation.LISTED])
        .select_related("category", "citizen", "case")
        .order_by("created_at", "id")[:100]
    )
    return render(
        request,
        "portal/moderation.html",
        {"rows": waiting, "nav": "portal", "cutoff": timezone.now() - datetime.timedelta(days=1)},
    )


class ModerateForm(forms.Form):
    decision = forms.ChoiceField(choices=[(a, a) for a in ("publish", "hide", "ban", "flag")])
    public_text = forms.CharField(max_length=500, required=False)
    reason = forms.CharField(max_length=200, required=False)


@login_required
@require_http_methods(["GET", "POST"])
def moderate_one(request, pk: int):
    _moderator(request)
    report = get_for_user(
        PortalReport.objects.select_related("category", "citizen", "case"),
        request.user,
        Action.MODERATE_PORTAL,
        pk=pk,
    )
    errors: list[str] = []
    if request.method == "POST":
        form = ModerateForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                if d["decision"] in ("publish", "hide"):
                    services.moderate(
                        report,
                        actor=request.user,
                        publish=d["decision"] == "publish",
                        public_text=d.get("public_text"),
                    )
                elif d["decision"] == "ban":
                    services.ban_reporter(report, actor=request.user, reason=d.get("reason") or "")
                else:
                    services.flag_reporter(report, actor=request.user)
            except ValidationError as exc:
                errors = _errors(exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("portal:moderation")
        else:
            errors = [str(e) for errs in form.errors.values() for e in errs]
    photos = list(report.case.attachments.order_by("id"))
    return render(
        request,
        "portal/moderate.html",
        {
            "report": report,
            "photos": photos,
            "errors": errors,
            "nav": "portal",
            "phone": mask_phone(report.citizen.phone) if report.citizen else "",
            "description": report.case.description,
        },
        status=400 if errors else 200,
    )
