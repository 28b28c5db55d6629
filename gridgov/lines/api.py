"""The lines part's JSON API under /api/v1/: one router per section."""

from ninja import Router

from gridgov.lines import (  # noqa: F401  (their routes join the populations' router)
    api_foreigners,
    api_populations_write,
)
from gridgov.lines.api_disputes import router as disputes_router
from gridgov.lines.api_populations import router as populations_router

router = Router(tags=["lines"])
router.add_router("", disputes_router)
router.add_router("", populations_router)
