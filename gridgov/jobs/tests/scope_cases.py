from gridgov.jobs.services import enqueue
from gridgov.tests.scope import Case


def setup(world) -> None:
    world.objects["job_b"] = enqueue(
        "areas.import_geojson", {"path": "/nonexistent", "crs": "wgs84"}, actor=world.users["op_b"]
    )


CASES = [
    Case("api/v1/jobs/<job_id>", lambda w: f"/api/v1/jobs/{w.objects['job_b'].pk}"),
    Case("jobs/<int:job_id>/", lambda w: f"/jobs/{w.objects['job_b'].pk}/"),
]
