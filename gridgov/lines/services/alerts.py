"""The lines' escalations as warnings of the warnings part: a high-risk dispute (or one with
many parties), a special-population record that lost contact, a rental found overcrowded.

Each raises one warning, issued at once by the `LINES` system account from the district above
the record's area to the record's area: the street and the community above it (and the grid
itself) get receipts, the district sees it as its own warning. One warning per record and cause
(and episode): `RaisedAlert` remembers it, so a job run again or a record saved again never
raises a second one. The texts go out by SMS: they carry the record's number and the area's
name, never a person's name or ID number; the record's page is named in the description.
"""

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gridgov.accounts.system import LINES, system_user
from gridgov.areas.models import Area, Level
from gridgov.lines.models import AlertCause, RaisedAlert
from gridgov.warnings.models import Certainty, Colour
from gridgov.warnings.services import WarningInput, raise_from_data

log = logging.getLogger(__name__)

# How long an escalation stays among the active warnings (the cockpit, the phone's home).
ACTIVE_DAYS = 7


def _event(cause: str) -> str:
    events: dict[str, str] = {
        AlertCause.DISPUTE_ESCALATED: _("High-risk dispute"),
        AlertCause.LOST_CONTACT: _("Lost contact"),
        AlertCause.OVERCROWDED: _("Overcrowded rental"),
    }
    return events[cause]


def _ancestors(area_code: str) -> dict[str, Area]:
    """The record's area and the areas above it, by level."""
    prefixes = [area_code[:n] for n in range(2, len(area_code) + 1)]
    return {a.level: a for a in Area.objects.active().filter(code__in=prefixes)}


def already_raised(cause: str, subject, episode: str = "") -> bool:
    return RaisedAlert.objects.filter(
        cause=cause,
        subject_type=subject._meta.label_lower,
        subject_id=subject.pk,
        episode=episode,
    ).exists()


def raise_alert(
    *,
    cause: str,
    subject,
    area_code: str,
    headline: str,
    url: str,
    colour: str = Colour.YELLOW,
    episode: str = "",
    now: datetime.datetime | None = None,
) -> RaisedAlert | None:
    """Raise the warning of `cause` for `subject` unless it was raised; None when it was (or when
    the area has no district above it). Runs inside the caller's transaction; a failure to issue
    never undoes the caller's write (it is logged)."""
    now = now or timezone.now()
    if already_raised(cause, subject, episode):
        return None
    levels = _ancestors(area_code)
    issuer = levels.get(Level.DISTRICT)
    area = levels.get(Level.GRID) or levels.get(Level.COMMUNITY) or levels.get(Level.STREET)
    if issuer is None or area is None:
        return None
    try:
        with transaction.atomic():  # a savepoint: a twin or a refusal must not abort the caller
            alert = RaisedAlert.objects.create(
                cause=cause,
                subject_type=subject._meta.label_lower,
                subject_id=subject.pk,
                episode=episode,
                area_code=area_code,
                raised_at=now,
            )
            with translation.override(settings.LANGUAGE_CODE):
                data = WarningInput(
                    event=_event(cause),
                    colour=colour,
                    certainty=Certainty.OBSERVED,
                    headline=headline[:160],
                    description=_("Raised by the business lines. Record: %(url)s") % {"url": url},
                    instruction=_("Check the record and act."),
                    onset=now,
                    expires=now + datetime.timedelta(days=ACTIVE_DAYS),
                    target_codes=[area.code],
                )
            alert.warning = raise_from_data(
                acting_user=system_user(LINES), area_code=issuer.code, data=data, now=now
            )
            alert.save(update_fields=["warning"])
    except IntegrityError:
        return None
    except Exception:  # the line's own write stands; the log names the cause
        log.exception("lines: could not raise the %s warning of %s", cause, subject)
        return None
    return alert


def area_name(area_code: str) -> str:
    area = Area.objects.filter(code=area_code).only("name").first()
    return area.name if area else area_code


def headline_of(cause: str, **values) -> str:
    """The warning's headline (in the installation's language): number and area, no names."""
    with translation.override(settings.LANGUAGE_CODE):
        if cause == AlertCause.DISPUTE_ESCALATED:
            return (
                _("Dispute %(number)s graded %(risk)s, %(parties)d parties, in %(area)s") % values
            )
        if cause == AlertCause.LOST_CONTACT:
            return _("Lost contact: special-population record %(number)s in %(area)s") % values
        return (
            _("Overcrowding: rented house %(number)s, %(occupants)d occupants, in %(area)s")
            % values
        )
