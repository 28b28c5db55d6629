"""Messages between staff: one-to-one, groups, and each area's channel. One row per message and
one flag row per (reader, message), written in the sending transaction."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.scope import code_in_scope, restrict
from gridgov.areas.models import Area, Level
from gridgov.office import shares
from gridgov.office.files import CheckedFile
from gridgov.office.models import (
    Conversation,
    ConversationKind,
    ConversationMember,
    StaffMessage,
    UserMessage,
)
from gridgov.office.services.notices import save_files
from gridgov.office.services.rights import staff_within

MAX_BODY = 4000
MAX_GROUP = 200
CHANNEL_LEVELS = (Level.DISTRICT, Level.STREET, Level.COMMUNITY)


def _ancestor_codes(user: User) -> set[str]:
    return {c for code in user.scope_codes for c in [*Area(code=code).ancestor_codes(), code]}


def reachable_users(user: User) -> QuerySet:
    """Staff `user` may write to: those in their scope and those whose scope holds theirs (the
    levels above them). A street never reaches another street's staff."""
    inside = restrict(User.objects.all(), user)
    above = User.scope_areas.through.objects.filter(area__code__in=_ancestor_codes(user))
    return User.objects.filter(
        Q(pk__in=inside.values("pk")) | Q(pk__in=above.values("user_id")), is_active=True
    ).exclude(pk=user.pk)


def may_use_channel(user: User, area_code: str) -> bool:
    """An area's channel is for its staff (scope inside the area) and the levels above it."""
    return code_in_scope(user, area_code) or any(
        c.startswith(area_code) for c in getattr(user, "scope_codes", ())
    )


def home_channels(user: User) -> list[Area]:
    """The channels of the areas the user works in (their scope areas and those above)."""
    return list(
        Area.objects.filter(code__in=_ancestor_codes(user), level__in=CHANNEL_LEVELS).order_by(
            "code"
        )
    )


def conversations_for(user: User) -> QuerySet:
    """The conversations the user belongs to (channels once they joined by reading or writing)."""
    return Conversation.objects.filter(
        pk__in=ConversationMember.objects.filter(user=user).values("conversation_id")
    )


def get_conversation_for_user(user: User, pk) -> Conversation:
    """A conversation the user may read, or 404 (as for one that does not exist)."""
    try:
        conv = Conversation.objects.get(pk=int(pk))
    except (Conversation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if conv.kind == ConversationKind.AREA:
        if may_use_channel(user, conv.area_code) and getattr(user, "is_active", False):
            return conv
    elif ConversationMember.objects.filter(conversation=conv, user=user).exists():
        return conv
    raise Http404


def area_channel(area: Area, *, acting_user: User) -> Conversation:
    """The channel of `area` (made on first use); the user joins it."""
    if area.level not in CHANNEL_LEVELS or not may_use_channel(acting_user, area.code):
        raise Http404
    with transaction.atomic():
        conv, _created = Conversation.objects.get_or_create(
            kind=ConversationKind.AREA,
            area=area,
            defaults={"area_code": area.code, "title": area.name, "created_by": acting_user},
        )
        ConversationMember.objects.get_or_create(conversation=conv, user=acting_user)
    return conv


def start_conversation(*, acting_user: User, others: list[User], title: str = "") -> Conversation:
    """A one-to-one conversation (the existing one, when there is) or a group."""
    others = [u for u in {u.pk: u for u in others}.values() if u.pk != acting_user.pk]
    if not others:
        raise ValidationError({"members": _("Choose whom to write to.")})
    if len(others) >= MAX_GROUP:
        raise ValidationError(
            {"members": _("A group holds at most %(n)d people.") % {"n": MAX_GROUP}}
        )
    allowed = set(
        reachable_users(acting_user)
        .filter(pk__in=[u.pk for u in others])
        .values_list("pk", flat=True)
    )
    if len(allowed) != len(others):
        raise ValidationError({"members": _("Some of these people are outside your reach.")})
    if len(title) > 100:
        raise ValidationError({"title": _("Keep the title within 100 characters.")})
    with transaction.atomic():
        if len(others) == 1 and not title:
            pair = {acting_user.pk, others[0].pk}
            existing = (
                Conversation.objects.filter(kind=ConversationKind.DIRECT, members__user__in=pair)
                .annotate(n=Count("members"))
                .filter(n=2)
                .first()
            )
            if existing is not None:
                return existing
            conv = Conversation.objects.create(kind=ConversationKind.DIRECT, created_by=acting_user)
        else:
            conv = Conversation.objects.create(
                kind=ConversationKind.GROUP,
                title=title.strip() or _("Group"),
                created_by=acting_user,
            )
        ConversationMember.objects.bulk_create(
            [ConversationMember(conversation=conv, user=u) for u in [acting_user, *others]]
        )
    return conv


def _readers(conv: Conversation) -> list[int]:
    members = set(
        ConversationMember.objects.filter(conversation=conv).values_list("user_id", flat=True)
    )
    if conv.kind == ConversationKind.AREA:
        members |= set(staff_within(conv.area_code).values_list("pk", flat=True))
    return sorted(members)


def send_message(
    conv: Conversation,
    *,
    acting_user: User,
    body: str = "",
    files: Sequence[CheckedFile] = (),
    share: tuple[str, int] | None = None,
) -> StaffMessage:
    """Write into a conversation the user may read; every reader gets an unread flag."""
    conv = get_conversation_for_user(acting_user, conv.pk)
    body = body.strip()
    if len(body) > MAX_BODY:
        raise ValidationError(
            {"body": _("Keep a message within %(n)d characters.") % {"n": MAX_BODY}}
        )
    if share is not None:
        shares.check_shareable(acting_user, *share)
    if not body and not files and share is None:
        raise ValidationError({"body": _("Write something, attach a file or share a record.")})
    with transaction.atomic():
        now = timezone.now()
        message = StaffMessage.objects.create(
            conversation=conv,
            sender=acting_user,
            sender_name=acting_user.display_name,
            body=body,
            share_kind=share[0] if share else "",
            share_id=share[1] if share else None,
            sent_at=now,
        )
        save_files(list(files), acting_user=acting_user, message=message)
        ConversationMember.objects.get_or_create(conversation=conv, user=acting_user)
        UserMessage.objects.bulk_create(
            [
                UserMessage(
                    user_id=uid, message=message, conversation=conv, read=uid == acting_user.pk
                )
                for uid in set(_readers(conv)) | {acting_user.pk}
            ],
            batch_size=2000,
        )
        Conversation.objects.filter(pk=conv.pk).update(
            last_message_id=message.pk, last_message_at=now
        )
    return message


def mark_read(conv: Conversation, *, acting_user: User, up_to: int | None = None) -> int:
    """The reader has seen the conversation (up to a message)."""
    unread = UserMessage.objects.filter(user=acting_user, conversation=conv, read=False)
    if up_to is not None:
        unread = unread.filter(message_id__lte=up_to)
    if conv.kind == ConversationKind.AREA:
        ConversationMember.objects.get_or_create(conversation=conv, user=acting_user)
    return unread.update(read=True)


def unread_total(user: User) -> int:
    """Unread messages of the user: a count over the index of unread flags."""
    return UserMessage.objects.filter(user=user, read=False).count()


def unread_by_conversation(user: User) -> dict[int, int]:
    rows = (
        UserMessage.objects.filter(user=user, read=False)
        .values("conversation_id")
        .annotate(n=Count("id"))
    )
    return {r["conversation_id"]: r["n"] for r in rows}


def inbox_version(user: User) -> str:
    """Changes whenever a message reaches the user or they read one: the polling ETag."""
    newest = UserMessage.objects.filter(user=user).aggregate(m=Max("id"))["m"] or 0
    return f"{newest}-{unread_total(user)}"


def messages_of(conv: Conversation, *, after: int = 0, limit: int = 100) -> list[StaffMessage]:
    rows = (
        StaffMessage.objects.filter(conversation=conv, id__gt=after)
        .prefetch_related("files")
        .order_by("-id")[:limit]
    )
    return list(reversed(rows))
