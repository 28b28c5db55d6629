import json

import pytest
from django.core.management import call_command

from gridgov.areas.geojson_io import commit_import, export_collection, plan_import
from gridgov.areas.models import Area, BoundaryVersion
from gridgov.audit.models import ChangeLog

COMMUNITY = "410105001001"  # street A north: lon 113.60–113.62, lat 34.71–34.72


def box(x0, y0, x1, y1):
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def feature(code, geometry, level="grid", parent=COMMUNITY, name=None, **props):
    return {
        "type": "Feature",
        "properties": {
            "code": code,
            "name": name or f"网格{code[-2:]}",
            "level": level,
            "parent_code": parent,
            **props,
        },
        "geometry": geometry,
    }


def collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


@pytest.fixture
def empty_community(tree, users):
    """Street A's north community with its four grids retired, so new grids can be drawn in it."""
    from gridgov.areas.services import retire_area

    for grid in tree.grids[:4]:
        retire_area(grid, actor=users["admin"])
    return Area.objects.get(code=COMMUNITY)


def test_a_clean_file_plans_then_commits(empty_community, users):
    data = collection(
        feature("41010500100105", box(113.60, 34.71, 113.61, 34.72), risk="high", kind="school"),
        feature("41010500100106", box(113.61, 34.71, 113.62, 34.72)),
    )
    plan = plan_import(data, actor=users["admin"])
    assert plan.ok, plan.problems
    assert plan.summary()["create"] == 2
    assert not Area.objects.filter(code="41010500100105").exists()  # the dry run wrote nothing
    result = commit_import(json.dumps(data), actor=users["admin"])
    assert result.ok
    school = Area.objects.get(code="41010500100105")
    assert (school.kind, school.risk, school.parent.code) == ("school", "high", COMMUNITY)
    assert ChangeLog.objects.filter(object_id=str(school.pk), action="import").exists()


def test_every_problem_is_listed_per_feature_and_nothing_is_written(
    empty_community, users, english
):
    data = collection(
        feature("41010500100105", box(113.60, 34.71, 113.61, 34.72)),
        feature("41010500100105", box(113.61, 34.71, 113.62, 34.72)),  # duplicate code
        feature(
            "41010500100107",
            {
                "type": "Polygon",
                "coordinates": [
                    [[113.60, 34.71], [113.61, 34.71], [113.61, 34.72], [113.60, 34.72]]
                ],
            },
        ),
        feature(
            "41010500100108",
            {
                "type": "Polygon",
                "coordinates": [
                    [[34.71, 113.60], [34.71, 113.61], [34.72, 113.61], [34.71, 113.60]]
                ],
            },
        ),
        feature(
            "41010500100109",
            {
                "type": "Polygon",
                "coordinates": [
                    [
                        [113.60, 34.71],
                        [113.61, 34.72],
                        [113.61, 34.71],
                        [113.60, 34.72],
                        [113.60, 34.71],
                    ]
                ],
            },
        ),
        feature("41010599900101", box(113.60, 34.71, 113.601, 34.711), parent="410105999001"),
        feature("41010500100110", box(113.605, 34.711, 113.612, 34.719)),  # overlaps feature 1
        feature("41010500100111", box(113.70, 34.71, 113.71, 34.72)),  # far outside its community
        feature(
            "41010500200112", box(113.60, 34.71, 113.601, 34.711)
        ),  # code does not extend parent
        feature("41010500100113", box(113.60, 34.71, 113.601, 34.711), level="village"),
    )
    plan = plan_import(data, actor=users["admin"])
    assert not plan.ok
    by_feature = {}
    for p in plan.problems:
        by_feature.setdefault(p.feature, []).append(p.message)
    text = lambda n: " ".join(by_feature.get(n, []))  # noqa: E731
    assert "Duplicate code" in text(2)
    assert "not closed" in text(3)
    assert "[lat, lon]" in text(4)
    assert "crosses itself" in text(5)
    assert "Unknown parent" in text(6)
    assert "Overlaps its sibling" in text(7) or "Overlaps its sibling" in text(1)
    assert "outside its parent" in text(8)
    assert "parent code" in text(9)
    assert "Unknown level" in text(10)
    before = Area.objects.count()
    assert not commit_import(data, actor=users["admin"]).ok
    assert Area.objects.count() == before


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b'{"type": "Feature"}',
        b'{"type": "FeatureCollection", "features": []}',
        b"\xff\xfe",
    ],
)
def test_unreadable_files_are_one_problem(raw, tree, users):
    plan = plan_import(raw, actor=users["admin"])
    assert not plan.ok
    assert plan.problems and plan.problems[0].feature == 0


def test_existing_codes_update_and_keep_the_former_boundary(tree, users):
    grid = tree.grids[0]
    data = collection(feature(grid.code, box(113.60, 34.715, 113.61, 34.72), name="新名字"))
    assert commit_import(data, actor=users["admin"]).ok
    grid.refresh_from_db()
    assert grid.name == "新名字"
    assert BoundaryVersion.objects.filter(area=grid).count() == 1


def test_a_street_operator_cannot_import_into_another_street(tree, users, english):
    data = collection(
        feature("41010500200109", box(113.62, 34.71, 113.621, 34.711), parent="410105002001")
    )
    plan = plan_import(data, actor=users["op_a"])
    assert any("outside your scope" in p.message for p in plan.problems)


def test_export_round_trips(tree, users):
    exported = export_collection(list(Area.objects.grids().order_by("code")))
    assert len(exported["features"]) == 16
    assert exported["features"][0]["properties"]["parent_code"] == COMMUNITY
    plan = plan_import(exported, actor=users["admin"])
    assert plan.ok and plan.summary()["update"] == 16


def test_the_command_line_shares_the_core(tmp_path, empty_community, capsys):
    path = tmp_path / "grids.geojson"
    path.write_text(
        json.dumps(collection(feature("41010500100105", box(113.60, 34.71, 113.62, 34.72))))
    )
    call_command("import_areas", str(path))
    assert not Area.objects.filter(code="41010500100105").exists()
    call_command("import_areas", str(path), "--commit")
    assert Area.objects.filter(code="41010500100105").exists()
    out = tmp_path / "out.geojson"
    call_command("export_areas", "--root", COMMUNITY, "--levels", "grid", "-o", str(out))
    assert "41010500100105" in out.read_text()
