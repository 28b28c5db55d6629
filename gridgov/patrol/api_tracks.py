"""API of patrols, positions, tracks, coverage and the live map."""

from ninja import Router

router = Router()
