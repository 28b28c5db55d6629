"""Area codes (STANDARDS.md): a child's code is its parent's code plus a fixed number of digits.

district 6 (GB/T 2260) > street +3 > community +3 > grid +2 (or +3, a setting).
Streets: 001–099 街道, 100–199 镇, 200–399 乡, 400–599 other units. Communities: 001–199 居委会,
200–399 村委会, and the statistics office also issues 400–599 to units like residents' committees.
A city node, where one is used above its districts, carries the 4-digit prefix its districts share.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gridgov.areas.models import Level

_DIGITS = re.compile(r"^\d+$")


def suffix_width(level: str) -> int:
    return {
        Level.STREET: 3,
        Level.COMMUNITY: 3,
        Level.GRID: settings.GRIDGOV_GRID_SEQ_WIDTH,
    }.get(level, 0)


def root_width(level: str) -> int | None:
    return {Level.CITY: 4, Level.DISTRICT: 6}.get(level)


def validate_code(code: str, level: str, parent_code: str | None, parent_level: str | None) -> None:
    """Raise ValidationError naming what is wrong with `code` for an area of `level`."""
    if not code or not _DIGITS.match(code):
        raise ValidationError(_("An area code consists of digits only."), code="code_digits")
    expected_parent = Level.parent_of(level)
    if parent_code is None:
        width = root_width(level)
        if width is None:
            raise ValidationError(
                _("An area of this level needs a parent area."), code="parent_required"
            )
        if len(code) != width:
            raise ValidationError(
                _("A %(level)s code has %(n)d digits.") % {"level": Level(level).label, "n": width},
                code="code_length",
            )
        return
    if expected_parent is not None and parent_level not in Level.allowed_parents(level):
        raise ValidationError(
            _("A %(level)s must lie in a %(parent)s.")
            % {"level": Level(level).label, "parent": Level(expected_parent).label},
            code="parent_level",
        )
    width = suffix_width(level) or root_width(level) or 0
    if level == Level.DISTRICT:
        suffix = code[len(parent_code) :]
        if not code.startswith(parent_code) or len(code) != 6:
            raise ValidationError(
                _("A district code has 6 digits and starts with its city's code %(parent)s.")
                % {"parent": parent_code},
                code="code_prefix",
            )
        return
    if not code.startswith(parent_code) or len(code) != len(parent_code) + width:
        raise ValidationError(
            _("The code must be the parent code %(parent)s followed by %(n)d digits.")
            % {"parent": parent_code, "n": width},
            code="code_prefix",
        )
    suffix = code[len(parent_code) :]
    if int(suffix) == 0:
        raise ValidationError(
            _("A sequence of zeros is reserved for the parent itself."), code="code_zero"
        )
    if level == Level.STREET and int(suffix) > 599:
        raise ValidationError(_("Street codes run from 001 to 599."), code="code_range")
    if level == Level.COMMUNITY and int(suffix) > 599:
        raise ValidationError(_("Community codes run from 001 to 599."), code="code_range")


def next_child_code(parent_code: str, level: str, taken: set[str]) -> str:
    """The first free code for a new child of `parent_code`."""
    width = suffix_width(level)
    for n in range(1, 10**width):
        code = f"{parent_code}{n:0{width}d}"
        if code not in taken:
            return code
    raise ValidationError(_("No free code is left under %(parent)s.") % {"parent": parent_code})
