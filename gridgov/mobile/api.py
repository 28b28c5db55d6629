"""The mobile part's JSON API under /api/v1/."""

from ninja import Router

router = Router(tags=["mobile"])
