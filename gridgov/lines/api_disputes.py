"""API of disputes and mediation, hazard inspection and rectification."""

from ninja import Router

router = Router()
