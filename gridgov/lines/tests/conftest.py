import pytest


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _population_defaults(request):
    """The default categories, intervals and rental checklist come from data migrations; a
    live-server test run before on the same worker flushes them, so put them back for tests
    that use the database."""
    names = request.fixturenames
    if "db" not in names or "transactional_db" in names or "live_server" in names:
        return
    request.getfixturevalue("db")
    from gridgov.lines.models import PopulationCategory, VisitInterval
    from gridgov.lines.services.populations_defaults import load

    if not PopulationCategory.objects.exists():
        load(PopulationCategory, VisitInterval)
    from gridgov.lines.models import ChecklistItem, InspectionPlan
    from gridgov.lines.services import hazards_defaults

    hazards_defaults.load(InspectionPlan, ChecklistItem)
