"""API of client systems and Open311."""

from ninja import Router

router = Router()
