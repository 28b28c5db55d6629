"""The work diary (民情日记): entries with tags, photos, voice notes and links, scoped review
and rating, and one step from an entry to a case. Like every field-work write: the acting user
as `actor`, one transaction, a change-log row, and a client key the phone may replay."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import code_in_scope, restrict, user_may
from gridgov.audit.models import ChangeAction
from gridgov.audit.services import record_change, snapshot
from gridgov.cases.models import Case, Channel
from gridgov.cases.services.intake import report_case
from gridgov.cases.services.loop import add_voice_note
from gridgov.cases.voice import check_voice_note
from gridgov.patrol.models import DiaryEntry, DiaryTag
from gridgov.patrol.services.work import check_position, member_grid, normalized_key, stored_photo
from gridgov.registry.models import Person, Place


@dataclass
class DiaryInput:
    text: str
    tags: list[str]
    day: datetime.date | None = None
    person: Person | None = None
    place: Place | None = None
    case: Case | None = None
    lon: float | None = None
    lat: float | None = None


def _linked_in_scope(actor: User, data: DiaryInput) -> None:
    for obj in (data.person, data.place, data.case):
        if obj is None:
            continue
        if not restrict(type(obj).objects.filter(pk=obj.pk), actor, Action.VIEW).exists():
            raise ValidationError({"link": _("The linked record is outside your area.")})


# An entry is of a day from a year back to today.
DAY_BACK = datetime.timedelta(days=366)


def check_diary_day(day: datetime.date) -> None:
    """The diary-day rule, for the form's field and the API alike."""
    today = timezone.localdate()
    if not today - DAY_BACK <= day <= today:
        raise ValidationError(_("Give a day from a year back to today."))


def write_diary(
    *, actor: User, data: DiaryInput, photo=None, voice=None, client_key: str | None = None
) -> tuple[DiaryEntry, bool]:
    """A diary entry by a member (or any staff who reports), with a photo and a voice note when
    given. Replays answer (entry, False)."""
    if not user_may(actor, Action.REPORT):
        raise PermissionDenied(_("You may not keep a work diary."))
    key = normalized_key(client_key)
    if key:
        found = DiaryEntry.objects.filter(client_key=key).first()
        if found is not None:
            if found.author_id != actor.pk:
                raise ValidationError({"client_key": _("This key was used by someone else.")})
            return found, False
    text = data.text.strip()
    if not text:
        raise ValidationError({"text": _("Write what you saw or did.")})
    if data.day is not None:
        try:
            check_diary_day(data.day)
        except ValidationError as error:
            raise ValidationError({"day": error.messages}) from error
    tags = [t for t in dict.fromkeys(data.tags) if t]
    if any(t not in DiaryTag.values for t in tags):
        raise ValidationError({"tags": _("Unknown diary tag.")})
    check_position(data.lon, data.lat)
    _linked_in_scope(actor, data)
    code = member_grid(actor)
    if not code:
        raise PermissionDenied(_("You have no area to keep a diary for."))
    stored = stored_photo(photo)
    recording = (
        check_voice_note(voice.read(settings.GRIDGOV_MAX_VOICE_BYTES + 1)) if voice else None
    )
    try:
        with transaction.atomic():
            entry = DiaryEntry.objects.create(
                author=actor,
                area_code=code,
                day=data.day or timezone.localdate(),
                text=text,
                tags=",".join(tags),
                person=data.person,
                place=data.place,
                case=data.case,
                lon=data.lon,
                lat=data.lat,
                client_key=key,
                photo=stored or "",
                voice=recording.file if recording else "",
                voice_type=recording.content_type if recording else "",
            )
            record_change(
                actor=actor,
                action=ChangeAction.CREATE,
                instance=entry,
                after=snapshot(entry, ["day", "tags"]),
            )
    except IntegrityError:
        found = DiaryEntry.objects.filter(client_key=key).first() if key else None
        if found is None:
            raise
        return found, False
    return entry, True


@transaction.atomic
def review_diary(entry: DiaryEntry, *, actor: User, rating: int, note: str = "") -> DiaryEntry:
    """A supervisor rates an entry 1 (poor) to 5 (excellent); never one's own entry."""
    if not code_in_scope(actor, entry.area_code, Action.REVIEW_DIARY):
        raise PermissionDenied(_("You may not review this diary."))
    if entry.author_id == actor.pk:
        raise PermissionDenied(_("Nobody reviews their own diary."))
    if not 1 <= int(rating) <= 5:
        raise ValidationError({"rating": _("Rate from 1 to 5.")})
    before = snapshot(entry, ["rating", "review_note"])
    entry.rating = int(rating)
    entry.review_note = note
    entry.reviewed_by = actor
    entry.reviewed_at = timezone.now()
    entry.save(update_fields=["rating", "review_note", "reviewed_by", "reviewed_at"])
    record_change(
        actor=actor,
        action=ChangeAction.UPDATE,
        instance=entry,
        before=before,
        after=snapshot(entry, ["rating", "review_note"]),
        note="reviewed",
    )
    return entry


def diary_to_case(entry: DiaryEntry, *, actor: User) -> tuple[Case, bool]:
    """Turn an entry into a case through the case intake, once (the entry remembers it); its
    voice note goes with it."""
    if entry.made_case_id:
        return entry.made_case, False  # type: ignore[return-value]
    if entry.author_id != actor.pk and not code_in_scope(
        actor, entry.area_code, Action.REVIEW_DIARY
    ):
        raise PermissionDenied(_("You may not turn this entry into a case."))
    with transaction.atomic():
        locked = DiaryEntry.objects.select_for_update().get(pk=entry.pk)
        if locked.made_case_id:
            return locked.made_case, False  # type: ignore[return-value]
        place = locked.place.name if locked.place is not None else ""
        case, created = report_case(
            actor=actor,
            channel=Channel.GRID_MEMBER,
            description=locked.text,
            lon=locked.lon,
            lat=locked.lat,
            address="" if locked.lon is not None else (place or _("See the work diary")),
            area_code=locked.area_code,
            idempotency_key=f"work-diary-{locked.pk:08d}",
        )
        if locked.voice and created:
            with locked.voice.open("rb") as recording:
                add_voice_note(case, check_voice_note(recording.read()), actor=actor)
        locked.made_case = case
        locked.save(update_fields=["made_case"])
        record_change(
            actor=actor,
            action=ChangeAction.UPDATE,
            instance=locked,
            after={"made_case_id": case.pk},
            note="turned into a case",
        )
    entry.made_case = case
    return case, created
