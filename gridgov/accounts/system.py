"""Named system accounts: the acting user of each automatic mechanism.

Services always take an acting user and check its rights; work that no person starts (an SMS
arriving, a periodic sweep, a command-line import, the demo) acts as one of these accounts, so
its rights are explicit and the change log and case timelines name the mechanism.

A system account has an unusable password, so nobody signs in as it, and it is never edited
through the user services (`is_system_account`). Its rights are a role and, where the role is
not one of the roles that reach the whole installation, the root areas of the tree as its scope.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Role
from gridgov.accounts.scope import minimal_prefixes
from gridgov.areas.models import Area
from gridgov.audit.models import ChangeAction
from gridgov.audit.services import record_change, snapshot

PREFIX = "system:"

SMS_INTAKE = "system:sms-intake"
JOBS = "system:jobs"
TRANSFERS = "system:transfers"
IMPORT = "system:import"
DEMO = "system:demo"
SETUP = "system:setup"
FIELD_TASKS = "system:field-tasks"
LINES = "system:lines"
CLASSIFIER = "system:classifier"
HOTLINE_12345 = "system:12345"
PORTAL = "system:portal"
OPEN311 = "system:open311"
EXCHANGE = "system:exchange"


@dataclass(frozen=True)
class SystemAccount:
    label: Promise
    role: str
    root_scope: bool = False  # the root areas of the tree as scope (for a role that needs one)
    superuser: bool = False  # may give every role, the administrator roles included


ACCOUNTS: dict[str, SystemAccount] = {
    # Files the texts sent to the inbound SMS number as cases: the right to report, anywhere.
    SMS_INTAKE: SystemAccount(_("System: SMS intake"), Role.GRID_MEMBER, root_scope=True),
    # Periodic work: deadline sweeps raise cards and escalate cases, retention removes old data.
    JOBS: SystemAccount(_("System: scheduled jobs"), Role.DEPARTMENT_HANDLER, root_scope=True),
    # Sends transfer requests nobody decided in time to the common parent area.
    TRANSFERS: SystemAccount(
        _("System: transfer escalation"), Role.DEPARTMENT_HANDLER, root_scope=True
    ),
    # Command-line imports of the area tree and the registry (run by whoever holds the server).
    IMPORT: SystemAccount(_("System: command-line import"), Role.ADMIN),
    # Builds the demo district, its accounts included.
    DEMO: SystemAccount(_("System: demo data"), Role.ADMIN, superuser=True),
    # The first tree and accounts of an installation (and of the test suite).
    SETUP: SystemAccount(_("System: installation setup"), Role.ADMIN, superuser=True),
    # Creates due visits and inspections as field tasks and reminds about overdue ones.
    FIELD_TASKS: SystemAccount(_("System: field tasks"), Role.COMMUNITY_STAFF, root_scope=True),
    # Screening tasks, ledger warnings and escalations of the business lines.
    LINES: SystemAccount(_("System: business lines"), Role.COMMUNITY_STAFF, root_scope=True),
    # Applies a category suggested with a confidence above the district's threshold.
    CLASSIFIER: SystemAccount(
        _("System: text classifier"), Role.DISTRICT_OPERATOR, root_scope=True
    ),
    # Files 12345 hotline work orders as cases and sends their steps back.
    HOTLINE_12345: SystemAccount(_("System: 12345 hotline"), Role.GRID_MEMBER, root_scope=True),
    # Files citizens' reports from the public portal.
    PORTAL: SystemAccount(_("System: public portal"), Role.GRID_MEMBER, root_scope=True),
    # Files requests of Open311 client systems.
    OPEN311: SystemAccount(_("System: Open311"), Role.GRID_MEMBER, root_scope=True),
    # Applies what client systems and other levels' platforms send (exchange, federation).
    EXCHANGE: SystemAccount(_("System: data exchange"), Role.DISTRICT_OPERATOR, root_scope=True),
}

_FIELDS = ["username", "full_name", "role", "is_superuser", "is_active"]


def is_system_account(user: User | None) -> bool:
    username = getattr(user, "username", "") or ""
    return username.startswith(PREFIX)


def system_user(name: str) -> User:
    """The system account `name` (one of ACCOUNTS), created on first use; its scope follows the
    root areas of the tree when its role needs one."""
    spec = ACCOUNTS[name]
    user = User.objects.filter(username=name).first()
    if user is None:
        user = _create(name, spec)
    if spec.root_scope:
        roots = set(
            Area.objects.active().filter(parent__isnull=True).values_list("code", flat=True)
        )
        held = set(user.scope_areas.values_list("code", flat=True))
        if roots != held:
            _set_scope(user, roots)
        else:  # the scope just read is the user's: restrict() need not read it again
            user.__dict__["scope_codes"] = minimal_prefixes(held)
    return user


def _create(name: str, spec: SystemAccount) -> User:
    with translation.override(settings.LANGUAGE_CODE):
        full_name = str(spec.label)
    try:
        with transaction.atomic():
            user = User(
                username=name,
                full_name=full_name,
                role=spec.role,
                is_superuser=spec.superuser,
                is_active=True,  # an actor whose rights count; the password keeps people out
            )
            user.set_unusable_password()
            user.save()
            record_change(
                actor=user,
                action=ChangeAction.CREATE,
                instance=user,
                after=snapshot(user, _FIELDS),
                note="system account",
            )
    except IntegrityError:  # created meanwhile by another process
        return User.objects.get(username=name)
    return user


@transaction.atomic
def _set_scope(user: User, codes: set[str]) -> None:
    before = sorted(user.scope_areas.values_list("code", flat=True))
    user.scope_areas.set(Area.objects.filter(code__in=codes))
    user.__dict__.pop("scope_codes", None)
    record_change(
        actor=user,
        action=ChangeAction.UPDATE,
        instance=user,
        before={"scope": before},
        after={"scope": sorted(codes)},
        note="system account: the root areas of the tree",
    )
