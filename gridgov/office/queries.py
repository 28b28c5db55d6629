"""Reads of notices and documents, always through the scope (restrict / get_for_user)."""

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import get_for_user, restrict
from gridgov.office.models import DocStatus, Document, Notice, NoticeReceipt


def notices_for(user, *, within: str = "", kind: str = "") -> QuerySet:
    notices = restrict(Notice.objects.all(), user, Action.VIEW, within=within)
    if kind:
        notices = notices.filter(kind=kind)
    return notices.select_related("area", "published_by")


def get_notice_for_user(user, pk) -> Notice:
    return get_for_user(Notice.objects.select_related("area", "published_by"), user, pk=pk)


def my_receipts(user, notice_ids) -> dict[int, NoticeReceipt]:
    return {
        r.notice_id: r for r in NoticeReceipt.objects.filter(user=user, notice_id__in=notice_ids)
    }


def unsigned_count(user) -> int:
    return NoticeReceipt.objects.filter(
        user=user, acked_at__isnull=True, notice__requires_ack=True
    ).count()


def signed_counts(notice_ids) -> dict[int, dict]:
    rows = (
        NoticeReceipt.objects.filter(notice_id__in=notice_ids)
        .values("notice_id")
        .annotate(
            read=Count("id", filter=Q(read_at__isnull=False)),
            signed=Count("id", filter=Q(acked_at__isnull=False)),
        )
    )
    return {r["notice_id"]: r for r in rows}


def documents_for(user, *, within: str = "", text: str = "", status: str = "", overdue=False):
    docs = restrict(Document.objects.all(), user, Action.VIEW, within=within)
    if text:
        docs = docs.filter(
            Q(number__icontains=text) | Q(title__icontains=text) | Q(issuing_unit__icontains=text)
        )
    if status:
        docs = docs.filter(status=status)
    if overdue:
        docs = docs.filter(status=DocStatus.ASSIGNED, deadline__lt=timezone.now())
    return docs.select_related("area", "lead_area", "lead_department")


def get_document_for_user(user, pk) -> Document:
    return get_for_user(
        Document.objects.select_related("area", "lead_area", "lead_department"), user, pk=pk
    )


def to_sign_count(user) -> int:
    """Documents waiting for the user's unit to sign for them."""
    from gridgov.office.services.documents import unsigned_for

    docs = (
        documents_for(user)
        .exclude(status=DocStatus.CLOSED)
        .filter(recipients__signed_at__isnull=True)
        .distinct()[:50]
    )
    return sum(1 for d in docs if unsigned_for(d, user))


def deadlines_by_level(user) -> list[dict]:
    """Open and overdue documents by the lead unit's level (area or department)."""
    now = timezone.now()
    docs = documents_for(user).filter(status__in=[DocStatus.ASSIGNED, DocStatus.REPLIED])
    rows = (
        docs.values("lead_area__name", "lead_area__level", "lead_department__name")
        .annotate(
            open=Count("id"),
            overdue=Count("id", filter=Q(status=DocStatus.ASSIGNED, deadline__lt=now)),
        )
        .order_by("-overdue", "lead_area__name", "lead_department__name")
    )
    return list(rows)
