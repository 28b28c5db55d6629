import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from gridgov.registry.identity import (
    USCC_ALPHABET,
    check_digit,
    mask_id,
    mask_phone,
    org_code_check,
    parse_citizen_id,
    parse_credit_code,
    uscc_check,
)

REGIONS = ["110105", "410105", "320508", "440305", "510104"]
births = st.dates(min_value=datetime.date(1930, 1, 1), max_value=datetime.date(2024, 12, 31))


def test_the_standards_example():
    cid = parse_citizen_id("11010519491231002X")
    assert (cid.birth_date, cid.sex, cid.region_code, cid.county) == (
        datetime.date(1949, 12, 31),
        "F",
        "110105",
        "朝阳区",
    )


def test_fifteen_digit_numbers_are_upgraded():
    assert parse_citizen_id("110105491231002").number == "11010519491231002X"


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("11010519491231002", "id_length"),
        ("1101051949123100XX", "id_format"),
        ("110105194912310021", "id_checksum"),
        ("110105194902300025", "id_birth"),
        ("990105194912310026", "id_region"),
        ("110105209912310027", "id_birth"),
    ],
)
def test_bad_numbers_say_what_is_wrong(number, code):
    if code in ("id_birth", "id_region") and number[17] != check_digit(number[:17]):
        number = number[:17] + check_digit(number[:17])
    with pytest.raises(ValidationError) as info:
        parse_citizen_id(number)
    assert info.value.code == code


@settings(max_examples=300)
@given(st.sampled_from(REGIONS), births, st.integers(0, 999))
def test_generated_numbers_are_valid_and_agree_with_stdnum(region, birth, seq):
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    number = first17 + check_digit(first17)
    assert ric.calc_check_digit(number) == number[17]
    cid = parse_citizen_id(number, today=datetime.date(2026, 1, 1))
    assert cid.birth_date == birth and cid.sex == ("M" if seq % 2 else "F")


@settings(max_examples=300)
@given(
    st.sampled_from(REGIONS),
    births,
    st.integers(0, 999),
    st.integers(0, 16),
    st.sampled_from("0123456789"),
)
def test_any_single_typo_is_caught(region, birth, seq, position, digit):
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    number = first17 + check_digit(first17)
    typo = number[:position] + digit + number[position + 1 :]
    if typo != number:
        with pytest.raises(ValidationError):
            parse_citizen_id(typo, today=datetime.date(2026, 1, 1))


def test_credit_code_example_and_inner_org_code():
    assert parse_credit_code("91110000600037341L") == "91110000600037341L"
    assert org_code_check("60003734") == "1"


credit_bodies = st.tuples(
    st.sampled_from("123456789"),
    st.sampled_from("123459"),
    st.sampled_from(REGIONS),
    st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8),
)


@settings(max_examples=300)
@given(credit_bodies)
def test_generated_credit_codes_pass_ours_and_stdnum(parts):
    first, second, region, org8 = parts
    org = org8 + org_code_check(org8)
    if org[-1] == "X" or org[-1] not in USCC_ALPHABET:
        return
    first17 = f"{first}{second}{region}{org}"
    code = first17 + uscc_check(first17)
    assert uscc.is_valid(code)
    assert parse_credit_code(code) == code


@settings(max_examples=200)
@given(credit_bodies, st.integers(0, 17), st.sampled_from(USCC_ALPHABET))
def test_a_changed_character_is_caught(parts, position, char):
    first, second, region, org8 = parts
    org = org8 + org_code_check(org8)
    first17 = f"{first}{second}{region}{org}"
    code = first17 + uscc_check(first17)
    changed = code[:position] + char + code[position + 1 :]
    if changed != code:
        with pytest.raises(ValidationError):
            parse_credit_code(changed)


def test_masks():
    assert mask_id("11010519491231002X") == "1101**********002X"
    assert mask_phone("13800001111") == "138****1111"
