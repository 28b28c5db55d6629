import json

from django.core.files.uploadedfile import SimpleUploadedFile

from gridgov.areas.models import Area, BoundaryVersion
from gridgov.jobs.models import Job
from gridgov.jobs.services import run_pending


def test_console_shows_the_users_tree(tree, users, client_for):
    page = client_for(users["op_a"]).get("/areas/console/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "经八路街道" in html and "花园路街道" not in html
    assert 'data-selected="410105001"' in html


def test_console_needs_login(tree, client):
    assert client.get("/areas/console/").status_code == 302


def test_card_children_and_search(tree, users, client_for):
    client = client_for(users["district"])
    card = client.get("/areas/41010500100101/card/").content.decode()
    assert "41010500100101" in card and "member_a" in card and "经八路街道" in card
    children = client.get("/areas/410105001/children/").content.decode()
    assert "经八北社区" in children and "经八南社区" in children
    assert "41010500200104" in client.get("/areas/search/?q=学校").content.decode()
    assert "410105002001" in client.get("/areas/search/?q=410105002").content.decode()


def test_edit_form_shows_chinese_errors_and_saves(tree, users, client_for):
    client = client_for(users["op_a"])
    page = client.post(
        "/areas/41010500100101/edit/", {"name": "经八北第2网格", "kind": "regular", "risk": ""}
    )
    assert page.status_code == 200
    assert "同级区划中已有同名区划" in page.content.decode()
    done = client.post(
        "/areas/41010500100101/edit/", {"name": "一号网格", "kind": "market", "risk": "high"}
    )
    assert done.status_code == 302
    grid = Area.objects.get(code="41010500100101")
    assert (grid.name, grid.kind, grid.risk) == ("一号网格", "market", "high")


def test_new_child_suggests_the_next_code(tree, users, client_for):
    client = client_for(users["op_a"])
    assert 'value="41010500100105"' in client.get("/areas/410105001001/new/").content.decode()
    done = client.post(
        "/areas/410105001001/new/",
        {"code": "41010500100105", "name": "五号", "kind": "regular", "risk": ""},
    )
    assert done.status_code == 302 and Area.objects.filter(code="41010500100105").exists()
    bad = client.post(
        "/areas/410105001001/new/",
        {"code": "4101050010010X", "name": "六号", "kind": "regular", "risk": ""},
    )
    assert "只能由数字组成" in bad.content.decode()


def test_move_and_retire_pages(tree, users, client_for):
    client = client_for(users["district"])
    assert client.post("/areas/410105001002/move/", {"parent_code": "410105002"}).status_code == 302
    assert Area.objects.filter(code="410105002003").exists()
    wrong = client.post("/areas/410105002003/move/", {"parent_code": "41099"})
    assert "没有此编码" in wrong.content.decode()
    assert client.post("/areas/410105002003/retire/", {"note": "撤并"}).status_code == 302
    assert Area.objects.get(code="410105002003").retired


def test_boundary_page_draw_and_upload(tree, users, client_for):
    client = client_for(users["op_a"])
    assert client.get("/areas/41010500100101/boundary/").status_code == 200
    square = {
        "type": "Polygon",
        "coordinates": [
            [[113.60, 34.715], [113.61, 34.715], [113.61, 34.72], [113.60, 34.72], [113.60, 34.715]]
        ],
    }
    assert (
        client.post(
            "/areas/41010500100101/boundary/", {"geometry": json.dumps(square), "crs": "wgs84"}
        ).status_code
        == 302
    )
    upload = SimpleUploadedFile(
        "b.geojson", json.dumps({"type": "Feature", "geometry": square, "properties": {}}).encode()
    )
    assert (
        client.post("/areas/41010500100101/boundary/", {"file": upload, "crs": "wgs84"}).status_code
        == 302
    )
    assert BoundaryVersion.objects.filter(area__code="41010500100101").count() == 2
    bad = client.post("/areas/41010500100101/boundary/", {"geometry": "{oops", "crs": "wgs84"})
    assert bad.status_code == 200 and "不是有效的 JSON" in bad.content.decode()


def test_history_lists_changes(tree, users, client_for):
    client = client_for(users["op_a"])
    client.post("/areas/41010500100101/edit/", {"name": "一号网格", "kind": "regular", "risk": ""})
    page = client.get("/areas/41010500100101/history/").content.decode()
    assert "op_a" in page and "name" in page


def test_import_page_dry_run_then_job_with_progress(tree, users, client_for):
    client = client_for(users["op_a"])
    body = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "code": "41010500100101",
                    "name": "导入后的名字",
                    "level": "grid",
                    "parent_code": "410105001001",
                },
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [113.60, 34.715],
                            [113.61, 34.715],
                            [113.61, 34.72],
                            [113.60, 34.72],
                            [113.60, 34.715],
                        ]
                    ],
                },
            }
        ],
    }
    page = client.post(
        "/areas/import/",
        {"file": SimpleUploadedFile("g.geojson", json.dumps(body).encode()), "crs": "wgs84"},
    )
    html = page.content.decode()
    assert "文件检查通过" in html and 'name="upload_id"' in html
    upload_id = html.split('name="upload_id" value="')[1].split('"')[0]
    queued = client.post("/areas/import/", {"upload_id": upload_id, "crs": "wgs84"})
    assert "排队中" in queued.content.decode()
    job = Job.objects.get(kind="areas.import_geojson")
    assert run_pending() == 1
    job.refresh_from_db()
    assert job.status == "done" and job.result["update"] == 1
    assert Area.objects.get(code="41010500100101").name == "导入后的名字"
    assert "已完成" in client.get(f"/jobs/{job.pk}/").content.decode()


def test_import_page_lists_problems(tree, users, client_for):
    page = client_for(users["op_a"]).post(
        "/areas/import/",
        {
            "file": SimpleUploadedFile(
                "g.geojson", b'{"type": "FeatureCollection", "features": [{"type": "Feature"}]}'
            ),
            "crs": "wgs84",
        },
    )
    html = page.content.decode()
    assert "文件存在问题" in html and 'name="upload_id"' not in html


def test_import_page_needs_the_right(tree, users, client_for):
    assert client_for(users["member_a"]).get("/areas/import/").status_code == 403


def test_export_download(tree, users, client_for):
    answer = client_for(users["op_a"]).get(
        "/areas/export.geojson?root=410105001&levels=grid,community"
    )
    assert answer["Content-Disposition"].startswith("attachment")
    assert len(json.loads(answer.content)["features"]) == 10


def test_english_is_complete_when_chosen(tree, users, client_for):
    client = client_for(users["op_a"])
    client.cookies["gridgov_language"] = "en"
    html = client.get("/areas/console/").content.decode()
    assert "Search areas by name or code" in html and "工作台" not in html


def test_card_counts_all_staff_even_when_the_table_is_capped(tree, users, client_for, monkeypatch):
    import datetime

    from gridgov.accounts.models import StaffAssignment
    from gridgov.areas import views

    for n, grid in enumerate(tree.grids[:3]):
        StaffAssignment.objects.create(
            user=users["district"],
            grid=grid,
            area_code=grid.code,
            force_type="supervisor",
            since=datetime.date(2026, 1, n + 1),
        )
    total = StaffAssignment.objects.filter(until__isnull=True).count()
    assert total >= 3
    monkeypatch.setattr(views, "STAFF_SHOWN", 2)
    response = client_for(users["admin"]).get("/areas/410105/card/")
    assert response.context["staff_count"] == total
    assert len(response.context["staff"]) == 2
    assert f'data-staff-count="{total}"' in response.content.decode()
    assert tree.grids[0].name in response.content.decode()
