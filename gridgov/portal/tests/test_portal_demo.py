import io

from gridgov.portal import demo_data_portal
from gridgov.portal.models import GridContact, Moderation, PortalReport


def test_the_demo_makes_public_reports_with_photos(loop):
    out = io.StringIO()
    demo_data_portal.load(stdout=out, scale="district", seed=7, size="small")
    assert "portal:" in out.getvalue()
    reports = PortalReport.objects.all()
    assert reports.count() == 3
    assert reports.filter(moderation=Moderation.PUBLISHED).exists()
    assert any(r.photo_ids for r in reports)
    assert GridContact.objects.exists()
