from django.http import HttpRequest
from ninja import Router

from gridgov.dashboard import queries

router = Router(tags=["cockpit"])


@router.get("/cockpit", response={200: dict}, summary="Every cockpit figure for one area")
def cockpit(request: HttpRequest, area: str = ""):
    """Counts (today, this month, open, overdue), trends by day and month, top classes, the loop
    as a funnel, the areas one level down with map figures, case heat points, the ranking of the
    areas below, registry summary and the latest red cards. `rolled_at` says how fresh the
    rolled-up figures are. Another area's code answers 404."""
    return queries.cockpit(request.user, area.strip())
