"""Read the State Council's yearly holiday notice (国务院办公厅关于某年部分节假日安排的通知).

Administrators paste the notice's text; each numbered item names a holiday, the days off
("1月28日至2月4日放假调休") and the adjusted working days ("1月26日（周日）、2月8日（周六）上班").
The result is a list of days with their status and the holiday's name, shown for confirmation
before anything is stored. Nothing is guessed: a text with no recognisable item is refused.
"""

import datetime
import re
from dataclasses import dataclass

_DATE = r"(?:(?P<{p}y>\d{{4}})年)?(?:(?P<{p}m>\d{{1,2}})月)?(?P<{p}d>\d{{1,2}})日"
_RANGE = re.compile(_DATE.format(p="a") + r"(?:[^至，,。；;]*?)至" + _DATE.format(p="b"))
_ONE = re.compile(_DATE.format(p="a"))
_ITEM = re.compile(r"^\s*[一二三四五六七八九十]+\s*[、.．]\s*(?P<name>[^：:]+)[：:](?P<body>.*)$")
_BRACKETS = re.compile(r"[（(][^）)]*[）)]")
MAX_NOTICE_CHARS = 20_000


class NoticeError(ValueError):
    """The text is not a holiday notice this reader understands."""


@dataclass(frozen=True)
class NoticeDay:
    date: datetime.date
    is_workday: bool
    holiday: str


def _date(match: re.Match, prefix: str, year: int, month: int | None) -> datetime.date:
    y = match.group(f"{prefix}y")
    m = match.group(f"{prefix}m")
    if m is None and month is None:
        raise NoticeError(f"a date without a month: {match.group(0)}")
    try:
        return datetime.date(
            int(y) if y else year, int(m) if m else month, int(match.group(f"{prefix}d"))
        )
    except ValueError as exc:
        raise NoticeError(f"not a date: {match.group(0)}") from exc


def _days_off(clause: str, year: int) -> list[datetime.date]:
    days: list[datetime.date] = []
    ranged = _RANGE.search(clause)
    if ranged:
        first = _date(ranged, "a", year, None)
        last = _date(ranged, "b", first.year, first.month)
        if last < first and ranged.group("by") is None:  # 12月31日至1月2日 runs into next year
            last = last.replace(year=last.year + 1)
        if (last - first).days > 31:
            raise NoticeError(f"a holiday longer than a month: {ranged.group(0)}")
        days = [first + datetime.timedelta(days=i) for i in range((last - first).days + 1)]
    else:
        one = _ONE.search(clause)
        if one:
            days = [_date(one, "a", year, None)]
    return days


def parse_notice(text: str, year: int) -> list[NoticeDay]:
    """The days a notice for `year` names, in date order; NoticeError when it names none."""
    if len(text) > MAX_NOTICE_CHARS:
        raise NoticeError("the text is too long for a holiday notice")
    found: dict[datetime.date, NoticeDay] = {}
    for line in text.replace("\r", "\n").split("\n"):
        item = _ITEM.match(line)
        if not item:
            continue
        name = item.group("name").strip()[:40]
        body = _BRACKETS.sub("", item.group("body"))
        for clause in re.split(r"[。；;]", body):
            if "放假" in clause:
                for day in _days_off(clause, year):
                    found[day] = NoticeDay(day, False, name)
            elif "上班" in clause:
                month = None
                for match in _ONE.finditer(clause):
                    day = _date(match, "a", year, month)
                    month = day.month
                    found[day] = NoticeDay(day, True, name)
    if not found:
        raise NoticeError("no holiday item (一、元旦：…放假…) was found in the text")
    return sorted(found.values(), key=lambda d: d.date)
