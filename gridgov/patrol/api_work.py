"""API of tasks, visits and the work diary."""

from ninja import Router

router = Router()
