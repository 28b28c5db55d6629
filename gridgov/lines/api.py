"""The lines part's JSON API under /api/v1/."""

from ninja import Router

router = Router(tags=["lines"])
