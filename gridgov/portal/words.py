"""The public steps in plain words (what citizens read on the status page and in SMS)."""

from django.utils.translation import gettext_lazy as _

STEP_LABELS = {
    "received": _("Report received"),
    "accepted": _("Accepted by the community"),
    "in_hand": _("Being handled by the department"),
    "checking": _("Being checked on site"),
    "closed": _("Closed"),
    "reopened": _("Reopened: being checked again"),
    "not_accepted": _("Not accepted"),
    "merged": _("Joined with another report"),
    "waiting": _("Waiting"),
}

PIPL_NOTICE = _(
    "Personal information notice (Personal Information Protection Law, art. 17): the district's "
    "grid management centre collects your mobile number only to confirm this report, to send you "
    "its steps if you ask and to let you rate the result. Handlers do not see your number without "
    "your consent. Your number is stored encrypted and deleted with the report after the "
    "retention period; the public pages never show it. You may ask the centre to see, correct or "
    "delete your information."
)
