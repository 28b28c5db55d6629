import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from gridgov.areas.coding import next_child_code, validate_code
from gridgov.areas.models import Level


@pytest.mark.parametrize(
    ("code", "level", "parent", "parent_level"),
    [
        ("410105", Level.DISTRICT, None, None),
        ("410105001", Level.STREET, "410105", Level.DISTRICT),
        ("410105001001", Level.COMMUNITY, "410105001", Level.STREET),
        ("41010500100101", Level.GRID, "410105001001", Level.COMMUNITY),
        ("4101", Level.CITY, None, None),
        ("410105", Level.DISTRICT, "4101", Level.CITY),
    ],
)
def test_valid_codes(code, level, parent, parent_level):
    validate_code(code, level, parent, parent_level)


@pytest.mark.parametrize(
    ("code", "level", "parent", "parent_level", "why"),
    [
        ("41010A", Level.DISTRICT, None, None, "code_digits"),
        ("4101051", Level.DISTRICT, None, None, "code_length"),
        ("410106001", Level.STREET, "410105", Level.DISTRICT, "code_prefix"),
        ("4101050011", Level.STREET, "410105", Level.DISTRICT, "code_prefix"),
        ("410105000", Level.STREET, "410105", Level.DISTRICT, "code_zero"),
        ("410105600", Level.STREET, "410105", Level.DISTRICT, "code_range"),
        ("41010500100100", Level.GRID, "410105001001", Level.COMMUNITY, "code_zero"),
        ("41010500100101", Level.GRID, "410105001", Level.STREET, "parent_level"),
        ("410105001", Level.STREET, None, None, "parent_required"),
    ],
)
def test_invalid_codes_say_why(code, level, parent, parent_level, why):
    with pytest.raises(ValidationError) as info:
        validate_code(code, level, parent, parent_level)
    assert info.value.code == why
    assert info.value.messages[0]


def test_grid_width_is_a_setting(settings):
    settings.GRIDGOV_GRID_SEQ_WIDTH = 3
    validate_code("410105001001001", Level.GRID, "410105001001", Level.COMMUNITY)
    with pytest.raises(ValidationError):
        validate_code("41010500100101", Level.GRID, "410105001001", Level.COMMUNITY)


@given(st.sets(st.integers(min_value=1, max_value=98), max_size=60))
def test_next_child_code_is_free_valid_and_smallest(taken_numbers):
    parent = "410105001001"
    taken = {f"{parent}{n:02d}" for n in taken_numbers}
    code = next_child_code(parent, Level.GRID, taken)
    assert code not in taken
    validate_code(code, Level.GRID, parent, Level.COMMUNITY)
    assert all(f"{parent}{n:02d}" in taken for n in range(1, int(code[-2:])))
