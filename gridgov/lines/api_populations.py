"""API of special populations and rental housing."""

from ninja import Router

router = Router()
