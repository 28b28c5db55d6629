"""The address gazetteer: its search keys, searching it as people type, the nearest address for a
point and the place a free text names (building it: `gazetteer_build`).

Search never scans: each address has search keys (`AddressKey`) — every character and every
pair of neighbouring characters of its name and aliases, and pairs of its pinyin initials. A
query's keys are counted (capped at `CANDIDATES`, and up to `COUNT_CAP` when all reach that), the
rarest gives up to `COUNT_CAP` addresses, each kept when it holds the other keys (equality on
the same index; at most `CANDIDATES` kept); the survivors are checked and ranked in Python:
exact name first, then beginning, then containing; addresses in the searcher's own area before
others; shorter names before longer.
"""

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import restrict
from gridgov.registry.models import Address, AddressKey

CANDIDATES = 300
COUNT_CAP = 5_000
TYPO_KEY_CAP = 4_000
KEYS_PER_QUERY = 5
MAX_QUERY = 60

_PUNCT = re.compile(r"[\s\-_,.，。、;；:：/\\()（）\[\]【】'\"“”·]+")
INTERSECTION = re.compile(
    r"^(?P<a>.+?)(?:与|和|跟|同|交|&|\+)(?P<b>.+?)(?:交叉口|交叉路口|交汇处|十字路口|路口|交口)?$"
)
_ROAD_NUMBER = re.compile(r"(?P<road>[^\d号]*?(?:大道|路|街|巷|胡同|道))(?P<number>\d+号)")
_COMPOUND = re.compile(r"(?P<compound>[^\d号]+?(?:小区|花园|家园|公寓|苑|院|庄园|新村))")
_BUILDING_NO = re.compile(r"(?P<building>\d+(?:号楼|栋|幢))")


def normalize(text: str) -> str:
    """Full-width to half-width, lower case, no spaces or punctuation."""
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text or "").lower())


def initials(text: str) -> str:
    """Pinyin initials of the Chinese characters; letters and digits kept as they are."""
    out = []
    for part in lazy_pinyin(normalize(text), style=Style.FIRST_LETTER, errors="default"):
        out.append(part.lower())
    return "".join(out)


def _pairs(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def text_keys(text: str) -> set[str]:
    t = normalize(text)
    return set(t) | _pairs(t)


def initial_keys(text: str) -> set[str]:
    t = initials(text)
    keys = {"@" + p for p in _pairs(t)}
    if t:
        keys.add("^" + t[0])
    return keys


def keys_of(address: Address) -> set[str]:
    keys: set[str] = set()
    for text in [address.name, *address.aliases.splitlines()]:
        if text.strip():
            keys |= text_keys(text) | initial_keys(text)
    return {k[:3] for k in keys}


def _names(address: "Address | _Candidate") -> list[str]:
    return [normalize(t) for t in [address.name, *address.aliases.splitlines()] if t.strip()]


def parse_parts(text: str) -> dict[str, str]:
    """Road, number, compound and building number read from a standard address text."""
    parts: dict[str, str] = {}
    m = _ROAD_NUMBER.search(text)
    if m:
        parts["road"] = m["road"][-60:]
        parts["number"] = m["number"]
    m = _COMPOUND.search(text)
    if m:
        parts["compound"] = m["compound"][-60:]
    m = _BUILDING_NO.search(text)
    if m:
        parts["building"] = m["building"]
    return parts


# ---------------------------------------------------------------------------- searching


class _Candidate(NamedTuple):
    """What ranking reads of an address."""

    pk: int
    name: str
    aliases: str
    initials: str
    area_code: str


@dataclass
class Hit:
    address: Address
    rank: tuple


def _query_forms(q: str) -> list[str]:
    """The query, and for "A和B路口" also "A与B" (how intersections are named)."""
    forms = [q]
    m = INTERSECTION.match(q)
    if m and len(m["a"]) >= 2 and len(m["b"]) >= 1:
        forms.append(f"{m['a']}与{m['b']}")
    return forms


def _spread(keys: list[str]) -> list[str]:
    if len(keys) <= KEYS_PER_QUERY:
        return keys
    step = (len(keys) - 1) / (KEYS_PER_QUERY - 1)
    return [keys[round(i * step)] for i in range(KEYS_PER_QUERY)]


def _count_keys(keys: Iterable[str], counts: dict[str, int], cap: int = CANDIDATES) -> None:
    """How many addresses hold each key, capped at `cap` (each count reads at most that many
    index entries), in one query for all the keys not counted yet or counted at a lower cap."""
    todo = sorted(k for k in set(keys) if k not in counts or CANDIDATES <= counts[k] < cap)
    if not todo:
        return
    table, col = AddressKey._meta.db_table, connection.ops.quote_name("key")
    # names from the model, values as parameters
    one = f"SELECT %s, (SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE {col} = %s LIMIT %s) c)"  # noqa: S608
    params: list = []
    for key in todo:
        params += [key, key, cap]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join([one] * len(todo)), params)
        counts.update({key: int(n) for key, n in cursor.fetchall()})


def _count_to_rank(key_sets: list[list[str]], counts: dict[str, int]) -> None:
    """Count every key of the queries' key sets, capped at CANDIDATES; then, in one more query,
    recount up to COUNT_CAP the keys of each set whose keys all reached CANDIDATES: capped alike,
    their rarest could not be told from the others (issue 11)."""
    _count_keys([k for keys in key_sets for k in keys], counts)
    tied = [
        k for keys in key_sets if keys and min(counts[k] for k in keys) >= CANDIDATES for k in keys
    ]
    _count_keys(tied, counts, COUNT_CAP)


def _ids_with_all(keys: list[str], counts: dict[str, int]) -> list[int]:
    """Ids of addresses holding every key (at most CANDIDATES), in one query: up to COUNT_CAP
    addresses of the rarest key, each kept when it holds the others too (one look-up on the
    (key, address) index per key, rarer keys first, so most are dropped at the first)."""
    if not keys:
        return []
    _count_keys(keys, counts)
    counted = sorted((counts[k], k) for k in set(keys))
    if counted[0][0] == 0:
        return []
    table, col = AddressKey._meta.db_table, connection.ops.quote_name("key")
    rarest = f"SELECT address_id FROM {table} WHERE {col} = %s LIMIT %s"  # noqa: S608
    others = [k for _n, k in counted[1:]]
    holds = f"EXISTS (SELECT 1 FROM {table} o WHERE o.{col} = %s AND o.address_id = r.address_id)"  # noqa: S608
    where = " AND ".join([holds] * len(others)) or "1 = 1"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT r.address_id FROM ({rarest}) r WHERE {where} LIMIT %s",  # noqa: S608
            [counted[0][1], COUNT_CAP, *others, CANDIDATES],
        )
        return [row[0] for row in cursor.fetchall()]


def _ids_with_most(keys: list[str], counts: dict[str, int]) -> list[int]:
    """For a typo: ids of addresses holding all but two of the query's rarer keys (one wrong
    character spoils the two pairs it is in), most keys first. Only keys held by fewer than
    TYPO_KEY_CAP addresses are read, so the work stays bounded."""
    _count_keys(keys, counts, TYPO_KEY_CAP)
    rare = [k for k in keys if 0 < counts[k] < TYPO_KEY_CAP]
    if len(rare) < 2:
        return []
    table, col = AddressKey._meta.db_table, connection.ops.quote_name("key")
    marks = ", ".join(["%s"] * len(rare))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT address_id FROM {table} WHERE {col} IN ({marks}) GROUP BY address_id "  # noqa: S608
            "HAVING COUNT(*) >= %s ORDER BY COUNT(*) DESC, address_id LIMIT %s",
            [*rare, max(1, len(rare) - 2), CANDIDATES],
        )
        return [row[0] for row in cursor.fetchall()]


def _text_query_keys(q: str) -> list[str]:
    if len(q) == 1:
        return [q]
    return _spread(sorted(_pairs(q), key=q.index))


def _initials_query_keys(q: str) -> list[str]:
    if len(q) == 1:
        return ["^" + q]
    return _spread(sorted({"@" + p for p in _pairs(q)}, key=lambda k: q.index(k[1:])))


def _rank_text(address: "Address | _Candidate", forms: list[str]) -> int | None:
    best = None
    for i, name in enumerate(_names(address)):
        for q in forms:
            if name == q:
                r = 0 if i == 0 else 1
            elif name.startswith(q):
                r = 2 if i == 0 else 3
            elif q in name:
                r = 4 if i == 0 else 5
            else:
                continue
            best = r if best is None else min(best, r)
    return best


def _rank_initials(address: "Address | _Candidate", q: str) -> int | None:
    best = None
    for ini in address.initials.splitlines():
        if ini == q:
            r = 1
        elif ini.startswith(q):
            r = 3
        elif q in ini:
            r = 5
        else:
            continue
        best = r if best is None else min(best, r)
    return best


def search(
    user: User,
    text: str,
    *,
    near: str = "",
    limit: int = 10,
    action: str = Action.VIEW,
    typos: bool = True,
) -> list[Hit]:
    """The addresses in the user's scope best matching `text` as typed so far. `near`: the
    searcher's own area code (default: the first of the user's scope) ranks its addresses
    first."""
    q = normalize(text)[:MAX_QUERY]
    if not q:
        return []
    near = near or (user.scope_codes[0] if getattr(user, "scope_codes", None) else "")
    forms = _query_forms(q)
    # Pinyin initials, with the digits of a number typed among them ("jbl1h": 经八路1号)
    initials_typed = q.isascii() and q.isalnum() and not q.isdigit()
    counts: dict[str, int] = {}
    ids: set[int] = set()
    exact = restrict(Address.objects.filter(name=text.strip()[:200]), user, action)
    ids |= set(exact.order_by().values_list("pk", flat=True)[:limit])
    key_sets = [_text_query_keys(form) for form in forms]
    if initials_typed:
        key_sets.append(_initials_query_keys(q))
    _count_to_rank(key_sets, counts)  # one query for all (two when the caps tie)
    for keys in key_sets:
        ids |= set(_ids_with_all(keys, counts))
    typo = False
    if not ids and typos and len(q) >= 4:
        typo = True
        ids = set(_ids_with_most(sorted(_pairs(q)), counts))
    if not ids:
        return []
    rows = restrict(Address.objects.filter(pk__in=list(ids)[: CANDIDATES * 2]), user, action)
    ranked: list[tuple[tuple, int]] = []
    for row in rows.order_by().values_list(*_Candidate._fields):
        a = _Candidate(*row)  # a tuple per candidate, not a model instance
        r = _rank_text(a, forms)
        if initials_typed:
            ri = _rank_initials(a, q)
            if ri is not None:
                r = ri if r is None else min(r, ri)
        if r is None:
            if not typo:
                continue
            r = 8
        far = 0 if near and a.area_code.startswith(near) else 1
        ranked.append(((r, far, len(a.name), a.name, a.pk), a.pk))
    ranked.sort()
    top = ranked[:limit]
    full = Address.objects.in_bulk([pk for _rank, pk in top])
    return [Hit(full[pk], rank) for rank, pk in top if pk in full]


def addresses_for(user: User, action: str = Action.VIEW) -> QuerySet:
    return restrict(Address.objects.all(), user, action)


def nearest(
    user: User, lon: float, lat: float, *, radius_m: float = 2000, action: str = Action.VIEW
) -> tuple[Address, float] | None:
    """The address nearest to a point within `radius_m` (metres), and its distance."""
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValidationError({"lon": _("The position is not a valid longitude and latitude.")})
    r = 100.0
    while True:
        dlat = r / 111_320
        dlon = r / (111_320 * max(math.cos(math.radians(lat)), 0.01))
        box = restrict(
            Address.objects.filter(
                lon__gte=lon - dlon, lon__lte=lon + dlon, lat__gte=lat - dlat, lat__lte=lat + dlat
            ),
            user,
            action,
        ).order_by()[:500]
        found = [(a, _metres(lon, lat, a.lon, a.lat)) for a in box]
        found = [f for f in found if f[1] <= r]
        if found:
            return min(found, key=lambda f: (f[1], f[0].pk))
        if r >= radius_m:
            return None
        r = min(r * 4, radius_m)


def _metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6_371_000 * math.hypot(x, y)


_ROAD = r"[\u4e00-\u9fff\w]{1,8}?(?:大道|路|街|巷)"
_CROSSING_IN_TEXT = re.compile(
    rf"({_ROAD})(?:与|和|跟|同|交)({_ROAD})(?:交叉口|交叉路口|十字路口|交汇处|路口|口)?"
)
_SENTENCE = re.compile(r"[，。！？!?,;；\s]|这里|那里|附近|门口|旁边|对面|楼下|有人|发现")
SEARCH_BUDGET = 12


def _phrases(text: str) -> list[str]:
    """What in a free text may name an address, most specific first: intersections written
    "A和B路口", then each clause and its shorter beginnings."""
    found = [f"{m[1]}与{m[2]}" for m in _CROSSING_IN_TEXT.finditer(normalize(text))]
    for clause in _SENTENCE.split(text):
        clause = normalize(clause)
        found += [clause[:n] for n in range(min(len(clause), 24), 3, -1)]
    return list(dict.fromkeys(found))


def locate_text(user: User, text: str) -> Address | None:
    """The one address a free text (an SMS) names, or None when none or several fit: the
    first phrase of the text that names any address must name exactly one."""
    if len(normalize(text)) < 4:
        return None
    for phrase in _phrases(text)[:SEARCH_BUDGET]:
        hits = search(user, phrase, limit=2, typos=False)
        if len(hits) == 1:
            return hits[0].address
        if hits:
            return None  # several fit: the case waits to be located
    return None


def place_of_text(user: User, text: str) -> dict | None:
    """Where an SMS's words put its case (report_case's lon, lat and address) when they name
    exactly one address; None when they name none or several (the case waits to be located)."""
    found = locate_text(user, text)
    if found is None:
        return None
    return {"lon": found.lon, "lat": found.lat, "address": found.name}
