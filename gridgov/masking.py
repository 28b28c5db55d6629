"""Masking personal data: the one implementation, for pages, the API, exports, logs and the map.

`mask(value, kind)` is the function; templates use its filter (`{% load masking %}`,
`{{ value|mask:"phone" }}`); the masked columns kept beside sealed identifiers
(`MaskedField`) are filled by the named forms below. Nothing else in the code masks.

- ID: an ID or document number keeps its first 4 and last 4 characters (1101**********002X);
- PHONE: a phone number keeps its first 3 and last 4 digits (138****1111);
- NAME: a name keeps its first character (张**);
- HIDDEN: nothing is kept (a change log's personal field: ***).
A value too short to keep anything becomes stars only; an empty value stays empty.
"""

ID = "id"
PHONE = "phone"
NAME = "name"
HIDDEN = "hidden"
KINDS = (ID, PHONE, NAME, HIDDEN)

# (kept at the start, kept at the end, the shortest value that keeps them and still hides one)
_SHAPES = {ID: (4, 4, 9), PHONE: (3, 4, 8), NAME: (1, 0, 1)}


def mask(value: str | None, kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown masking kind {kind!r}")
    text = "" if value is None else str(value)
    if not text:
        return ""
    if kind == HIDDEN:
        return "***"
    head, tail, shortest = _SHAPES[kind]
    if len(text) < shortest:
        return "*" * len(text)
    if kind == ID:
        return f"{text[:head]}{'*' * 10}{text[-tail:]}"
    if kind == PHONE:
        return f"{text[:head]}****{text[-tail:]}"
    return text[:head] + "*" * (len(text) - head)


def mask_id(value: str | None) -> str:
    return mask(value, ID)


def mask_phone(value: str | None) -> str:
    return mask(value, PHONE)


def mask_name(value: str | None) -> str:
    return mask(value, NAME)
