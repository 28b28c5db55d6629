"""The lines part's JSON API under /api/v1/: one router per section."""

from ninja import Router

from gridgov.lines import api_populations_write  # noqa: F401  (its routes join the router)
from gridgov.lines.api_disputes import router as disputes_router
from gridgov.lines.api_populations import router as populations_router

router = Router(tags=["lines"])
router.add_router("", disputes_router)
router.add_router("", populations_router)
