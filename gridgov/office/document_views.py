"""Pages of official documents: the list with search, entering one, its circulation page, the
steps, and deadlines by level."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gridgov.accounts.models import Department
from gridgov.areas import queries as area_queries
from gridgov.office import files, machine, queries
from gridgov.office.forms import DocumentForm
from gridgov.office.models import DocStatus
from gridgov.office.services import documents
from gridgov.office.services.messages import reachable_users
from gridgov.office.services.rights import OFFICE_ROLES
from gridgov.office.units import unit_choices, units_from


def _errors(exc) -> str:
    return " ".join(getattr(exc, "messages", [str(exc)]))


@login_required
def document_list(request):
    params = request.GET
    status = params.get("status", "")
    if status and status not in DocStatus.values:
        raise Http404
    rows = queries.documents_for(
        request.user,
        within=params.get("area", "").strip(),
        text=params.get("q", "").strip()[:100],
        status=status,
        overdue=params.get("overdue") == "1",
    )
    page = Paginator(rows, 25).get_page(params.get("page"))
    return render(
        request,
        "office/documents.html",
        {
            "nav": "office",
            "tab": "documents",
            "page": page,
            "statuses": DocStatus.choices,
            "may_receive": request.user.role in OFFICE_ROLES or request.user.is_superuser,
            "area_choices": area_queries.picker_choices(request.user),
        },
    )


@login_required
def deadlines(request):
    return render(
        request,
        "office/deadlines.html",
        {"nav": "office", "tab": "deadlines", "rows": queries.deadlines_by_level(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_new(request):
    if not (request.user.role in OFFICE_ROLES or request.user.is_superuser):
        raise PermissionDenied(_("Only an office may receive documents."))
    units = unit_choices(request.user)
    form = DocumentForm(request.POST or None, units=units)
    status = 200
    if request.method == "POST":
        try:
            if not form.is_valid():
                # The refusal of a classified document comes first, whatever else is missing.
                if request.POST.get("secrecy") in documents.CLASSIFIED:
                    raise ValidationError(documents.classified_refusal())
                raise ValidationError(_("Check the form."))
            data = form.cleaned_data
            area = area_queries.get_area_for_user(request.user, data["area"])
            doc = documents.receive_document(
                acting_user=request.user,
                area=area,
                number=data["number"],
                title=data["title"],
                issuing_unit=data["issuing_unit"],
                urgency=data["urgency"],
                secrecy=data["secrecy"],
                summary=data["summary"],
                main=units_from(request.user, data["main"]),
                copies=units_from(request.user, data["copies"], "copies"),
                files=files.from_request(request),
            )
        except Http404:
            messages.error(request, _("No such area in your scope."))
            status = 400
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _errors(exc))
            status = 400
        else:
            messages.success(request, _("The document is entered."))
            return redirect("office:document", pk=doc.pk)
    return render(
        request,
        "office/document_new.html",
        {
            "nav": "office",
            "tab": "documents",
            "form": form,
            "units": units,
            "holders": [u for u in units if u[0].startswith("area:")],
        },
        status=status,
    )


@login_required
def document_detail(request, pk: int):
    doc = queries.get_document_for_user(request.user, pk)
    steps = documents.allowed_steps(doc, request.user)
    names = {s.name for s in steps}
    readers = list(doc.readers.select_related("user"))
    context = {
        "nav": "office",
        "tab": "documents",
        "doc": doc,
        "steps": steps,
        "recipients": doc.recipients.select_related("area", "department", "signed_by"),
        "readers_read": [r for r in readers if r.read_at],
        "readers_unread": [r for r in readers if not r.read_at],
        "events": doc.events.all(),
        "files": doc.files.all(),
        "labels": machine.EVENT_LABELS,
    }
    if "assign" in names:
        context["units"] = unit_choices(request.user)
    if "circulate" in names:
        context["people"] = reachable_users(request.user).order_by("username")[:300]
    return render(request, "office/document_detail.html", context)


@login_required
@require_POST
def document_step(request, pk: int, action: str):
    doc = queries.get_document_for_user(request.user, pk)
    post = request.POST
    try:
        lead_area = lead_department = None
        if post.get("lead"):
            (unit,) = units_from(request.user, [post["lead"]], "lead")
            if isinstance(unit, Department):
                lead_department = unit
            else:
                lead_area = unit
        days = post.get("days", "").strip()
        if days and not (days.isascii() and days.isdigit()):
            raise ValidationError({"days": _("Give a whole number of working days.")})
        readers = []
        wanted = [v for v in post.getlist("readers") if v.isascii() and v.isdigit()][:300]
        if wanted:
            readers = list(reachable_users(request.user).filter(pk__in=wanted))
            if len(readers) != len(set(wanted)):
                raise ValidationError({"readers": _("A reader lies outside your scope.")})
        documents.perform(
            doc,
            action,
            acting_user=request.user,
            note=post.get("note", ""),
            lead_area=lead_area,
            lead_department=lead_department,
            days=int(days) if days else None,
            readers=readers,
            sms=post.get("sms") == "1",
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Done."))
    return redirect("office:document", pk=doc.pk)
