"""Password policy beyond Django's validators: kinds of character, and the maximum age."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

_CLASSES = (
    str.islower,
    str.isupper,
    str.isdigit,
    lambda ch: not ch.isalnum() and not ch.isspace(),  # punctuation, symbols
)


class CharacterClassValidator:
    """At least N of: lower-case letters, upper-case letters, digits, other characters."""

    def __init__(self, min_classes: int | None = None):
        self.min_classes = min_classes

    @property
    def required(self) -> int:
        if self.min_classes is not None:
            return self.min_classes
        return settings.GRIDGOV_PASSWORD_MIN_CHARACTER_CLASSES

    def validate(self, password: str, user=None) -> None:
        found = sum(1 for test in _CLASSES if any(test(ch) for ch in password))
        if found < self.required:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return ngettext(
            "The password must contain at least %(n)d kind of character: lower-case letters,"
            " upper-case letters, digits, other characters.",
            "The password must contain at least %(n)d kinds of character: lower-case letters,"
            " upper-case letters, digits, other characters.",
            self.required,
        ) % {"n": self.required}


def password_expired(user) -> bool:
    """Whether the user must change their password before doing anything else."""
    days = settings.GRIDGOV_PASSWORD_MAX_AGE_DAYS
    if not days or not user.has_usable_password():
        return False
    changed = user.password_changed_at
    return changed is None or timezone.now() - changed > datetime.timedelta(days=days)


def expiry_message() -> str:
    return _("Your password is older than the platform allows. Choose a new one to go on.")
