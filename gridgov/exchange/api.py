"""The exchange part's JSON API under /api/v1/: one router per section."""

from ninja import Router

from gridgov.exchange.api_catalogue import router as catalogue_router
from gridgov.exchange.api_clients import router as clients_router
from gridgov.exchange.api_federation import router as federation_router
from gridgov.exchange.api_hotline import router as hotline_router
from gridgov.exchange.api_webhooks import router as webhooks_router

router = Router(tags=["exchange"])
router.add_router("", clients_router)
router.add_router("", hotline_router)
router.add_router("", webhooks_router)
router.add_router("", catalogue_router)
router.add_router("", federation_router)
