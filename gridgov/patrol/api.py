"""The patrol part's JSON API under /api/v1/: one router per section."""

from ninja import Router

from gridgov.patrol.api_tracks import router as tracks_router
from gridgov.patrol.api_work import router as work_router

router = Router(tags=["patrol"])
router.add_router("", tracks_router)
router.add_router("", work_router)
