"""Billed parts: GSM-7 160 in one part, 153 per part beyond; UCS-2 70, then 67."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridgov.notify.segments import GSM7_BASIC, GSM7_EXTENSION, count

gsm_basic = st.text(alphabet=sorted(GSM7_BASIC), max_size=800)
FIXED = settings(max_examples=200, derandomize=True, deadline=None, database=None)
chinese = st.text(
    alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=400
)


@pytest.mark.parametrize(
    ("text", "encoding", "parts"),
    [
        ("", "gsm7", 1),
        ("a" * 160, "gsm7", 1),
        ("a" * 161, "gsm7", 2),
        ("a" * 306, "gsm7", 2),
        ("a" * 307, "gsm7", 3),
        ("€" * 80, "gsm7", 1),  # each extension character takes two septets
        ("€" * 81, "gsm7", 2),
        ("井" * 70, "ucs2", 1),
        ("井" * 71, "ucs2", 2),
        ("井" * 134, "ucs2", 2),
        ("井" * 135, "ucs2", 3),
        ("a" * 159 + "井", "ucs2", 3),  # one Chinese character makes the whole text UCS-2
        ("😀" * 35, "ucs2", 1),  # outside the BMP: two UTF-16 units each
        ("😀" * 36, "ucs2", 2),
    ],
)
def test_known_lengths(text, encoding, parts):
    counted = count(text)
    assert (counted.encoding, counted.parts) == (encoding, parts)


@FIXED
@given(gsm_basic)
def test_gsm_text_is_counted_in_septets(text):
    counted = count(text)
    assert counted.encoding == "gsm7" and counted.units == len(text)
    assert counted.parts == (1 if len(text) <= 160 else math.ceil(len(text) / 153))


@FIXED
@given(chinese)
def test_chinese_text_is_counted_in_ucs2_units(text):
    counted = count(text)
    assert counted.encoding == "ucs2" and counted.units == len(text)
    assert counted.parts == (1 if len(text) <= 70 else math.ceil(len(text) / 67))


@FIXED
@given(st.text(max_size=500), st.text(max_size=50))
def test_a_longer_text_never_costs_less(text, more):
    assert count(text + more).parts >= count(text).parts


@FIXED
@given(st.text(max_size=500))
def test_the_parts_hold_the_text(text):
    counted = count(text)
    assert counted.parts * counted.per_part >= counted.units
    assert counted.parts == 1 or (counted.parts - 1) * counted.per_part < counted.units


def test_extension_characters_are_gsm():
    assert all(count(c).encoding == "gsm7" and count(c).units == 2 for c in GSM7_EXTENSION)
