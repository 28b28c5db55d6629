"""Exports a spreadsheet opens safely, and imports that name every bad cell instead of failing.

A cell starting with = + - @ (or a tab or carriage return) would run as a formula in Excel or
WPS: it gets a leading apostrophe. Control characters, which an .xlsx cannot hold (openpyxl
raises IllegalCharacterError), are dropped. Numbers stay numbers, negative ones too."""

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from gridgov.registry import importing
from gridgov.registry import services as registry_services
from gridgov.registry.models import House
from gridgov.tables import FORMULA_START, csv_bytes, safe_cell, workbook_bytes

FIXED = settings(max_examples=200, derandomize=True, deadline=None, database=None)
CELL_TEXT = st.text(
    st.one_of(st.characters(codec="utf-8"), st.sampled_from("=+-@\t\r\x00\x01\x1b0123456789.")),
    max_size=20,
)


@FIXED
@given(CELL_TEXT)
def test_no_text_cell_can_start_a_formula_or_hold_a_control_character(text):
    cell = safe_cell(text)
    plain_negative = cell[1:].replace(".", "", 1).isdigit() and cell.startswith("-")
    assert not cell.startswith(FORMULA_START) or plain_negative
    assert not any(ord(c) < 32 and c not in "\t\n\r" for c in cell)
    workbook_bytes([("t", ["h"], [[text]])])  # never raises


@FIXED
@given(st.one_of(st.integers(), st.floats(allow_nan=False), st.none(), st.booleans()))
def test_numbers_and_empty_cells_are_kept_as_they_are(value):
    assert safe_cell(value) == value


ROW = ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tX", "-5", -5, 3.5, "a\x01b\x0bc"]
SAFE = ['\'=HYPERLINK("http://x")', "'+1", "'-2+3", "'@SUM(A1)", "'\tX", "-5", -5, 3.5, "abc"]


def test_an_excel_export_neutralises_formulas_and_drops_control_characters():
    book = load_workbook(io.BytesIO(workbook_bytes([("名单:1/2", ["=h"], [ROW])])))
    sheet = book.worksheets[0]
    assert [c.value for c in next(sheet.iter_rows(min_row=2))] == SAFE
    assert sheet["A1"].value == "'=h"
    assert sheet["B2"].data_type == "s" and sheet["G2"].data_type == "n"


def test_a_csv_export_neutralises_formulas():
    text = csv_bytes(["h"], [ROW]).decode("utf-8-sig")
    assert next(iter(csv.reader(io.StringIO(text[text.index("\n") + 1 :])))) == [
        str(v) for v in SAFE
    ]


@pytest.fixture
def person_with_hostile_text(users):
    building = registry_services.save_building(
        {
            "code": "B-1",
            "name": "1号楼",
            "address": "经八路1号",
            "units": 1,
            "floors": 1,
            "rooms_per_floor": 1,
            "lon": 113.605,
            "lat": 34.7175,
        },
        actor=users["admin"],
    )
    registry_services.generate_houses(building, actor=users["admin"])
    person, _created = registry_services.save_person(
        {
            "name": "=cmd|' /C calc'!A0\x07",
            "other_id_type": "passport",
            "other_id": "E1",
            "registration": "registered",
        },
        actor=users["admin"],
        house=House.objects.get(),
    )
    return person


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_people_export_of_a_hostile_name(client_for, users, person_with_hostile_text, fmt):
    response = client_for(users["admin"]).get(f"/registry/people/export.{fmt}")
    assert response.status_code == 200
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        name = sheet["A2"].value
    else:
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        name = rows[1][0]
    assert name == "'=cmd|' /C calc'!A0"


HEADER = [
    "姓名",
    "公民身份号码",
    "联系电话",
    "人口类型",
    "房屋编码",
    "居住关系",
    "入住日期",
    "民族",
]
LONG = "长" * 300_000


def _xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(("column", "value"), [(0, LONG), (7, LONG), (0, "王\x00五"), (6, LONG)])
def test_an_import_names_the_row_column_and_reason_of_a_bad_cell(users, fmt, column, value):
    row = ["王五", "", "", "户籍人口", "B-1-1-1-101", "租户", "2021-03-01", "汉族"]
    row[column] = value
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out).writerows([HEADER, row])
        data = out.getvalue().encode()
    else:
        if "\x00" in value:
            pytest.skip("an .xlsx file cannot hold a NUL")
        data = _xlsx([HEADER, row])
    report = importing.check("people", data, f"people.{fmt}", actor=users["admin"])
    assert report.good_count == 0
    assert (2, HEADER[column]) in {(e.row, e.column) for e in report.errors}
