"""Identity codes: the citizen ID number (GB 11643) and the unified social credit code (GB 32100).

Birth date, sex and region of origin are read from the ID number, never typed again. The region
is checked against python-stdnum's table of county codes, including historic ones valid in the
birth year. Functions are plain and cached so a million rows validate quickly.
"""

import datetime
import re
from dataclasses import dataclass
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import numdb

# The masked columns name these (MaskedField) since migration 0004; masking itself is in
# gridgov/masking.py.
from gridgov.masking import mask_id, mask_phone  # noqa: F401

_DIGITS17 = re.compile(r"^\d{17}[\dX]$")
_DIGITS15 = re.compile(r"^\d{15}$")
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True)
class CitizenId:
    number: str
    birth_date: datetime.date
    sex: str  # "M" or "F": the sequence digit is odd for men, even for women
    region_code: str
    province: str
    county: str


def check_digit(first17: str) -> str:
    """GB 11643 check character: weights 2^(17-i) mod 11, 'X' for 10."""
    value = (1 - 2 * int(first17, 13)) % 11
    return "X" if value == 10 else str(value)


@lru_cache(maxsize=50_000)
def region(code: str, year: int) -> tuple[str, str] | None:
    """(province, county) of a known county code, or None. The name is the one the code had in
    `year` where the table says; a code unused in the birth year is still accepted, since the
    code is where the number was issued (often decades after birth), not where one was born."""
    results = numdb.get("cn/loc").info(code)
    info = {k: v for _part, props in results for k, v in props.items()}
    if "county" not in info:
        return None
    for county in info["county"].split(","):
        if not county.startswith("["):
            return info.get("province", ""), county
        span, name = county[1:].split("]")
        start, end = span.split("-")
        if (not start or year >= int(start)) and (not end or year <= int(end)):
            return info.get("province", ""), name
    names = [c.split("]")[-1] for c in info["county"].split(",")]
    return info.get("province", ""), names[-1]


def parse_citizen_id(raw: str, today: datetime.date | None = None) -> CitizenId:
    """A checked ID number (15-digit ones are upgraded), or ValidationError saying what is wrong."""
    number = (raw or "").strip().upper().replace(" ", "")
    if _DIGITS15.match(number):
        first17 = number[:6] + "19" + number[6:]
        number = first17 + check_digit(first17)
    if len(number) != 18:
        raise ValidationError(
            _("An ID number has 18 characters (or 15 digits for an old one)."), code="id_length"
        )
    if not _DIGITS17.match(number):
        raise ValidationError(_("An ID number is 17 digits and a digit or X."), code="id_format")
    if number[17] != check_digit(number[:17]):
        raise ValidationError(
            _("The ID number's check digit is wrong: a digit was mistyped."), code="id_checksum"
        )
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("The birth date in the ID number does not exist."), code="id_birth"
        ) from None
    if birth.year < 1890 or birth > (today or datetime.date.today()):
        raise ValidationError(
            _("The birth date in the ID number is out of range."), code="id_birth"
        )
    place = region(number[:6], birth.year)
    if place is None:
        raise ValidationError(
            _("The ID number's region code %(code)s is unknown.") % {"code": number[:6]},
            code="id_region",
        )
    return CitizenId(
        number, birth, "M" if int(number[16]) % 2 else "F", number[:6], place[0], place[1]
    )


def uscc_check(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def org_code_check(first8: str) -> str:
    total = sum(_ORG_ALPHABET.index(c) * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def parse_credit_code(raw: str) -> str:
    """A checked unified social credit code: its own check character and the inner
    organization code's (positions 9–17), which python-stdnum does not check."""
    code = (raw or "").strip().upper().replace(" ", "")
    if len(code) != 18:
        raise ValidationError(_("A credit code has 18 characters."), code="uscc_length")
    if not _USCC.match(code):
        raise ValidationError(
            _("A credit code uses digits and the letters A–Y except I, O, S, V and Z."),
            code="uscc_format",
        )
    if code[17] != uscc_check(code[:17]):
        raise ValidationError(
            _("The credit code's check character is wrong."), code="uscc_checksum"
        )
    inner = code[8:17]
    if inner[:8].isalnum() and inner[8] != org_code_check(inner[:8]):
        raise ValidationError(
            _("The organization code inside the credit code is wrong."), code="uscc_org"
        )
    return code
