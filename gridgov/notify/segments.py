"""How many parts an SMS is billed as (docs/sms.md): GSM-7 text 160 characters in one part and
153 per part beyond; anything else goes as UCS-2, 70 UTF-16 units in one part and 67 beyond (the
rest of each part carries the header that joins them)."""

import math
from dataclasses import dataclass

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")  # two units each (an escape, then the character)
LIMITS = {"gsm7": (160, 153), "ucs2": (70, 67)}


@dataclass(frozen=True)
class Segments:
    encoding: str  # "gsm7" or "ucs2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    parts: int

    @property
    def per_part(self) -> int:
        single, multi = LIMITS[self.encoding]
        return single if self.parts <= 1 else multi


def count(text: str) -> Segments:
    if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text):
        encoding, units = "gsm7", sum(2 if c in GSM7_EXTENSION else 1 for c in text)
    else:
        encoding, units = "ucs2", len(text.encode("utf-16-le")) // 2
    single, multi = LIMITS[encoding]
    parts = 1 if units <= single else math.ceil(units / multi)
    return Segments(encoding, units, parts)
