"""API of the 12345 work-order adapter."""

from ninja import Router

router = Router()
