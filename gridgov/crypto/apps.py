from django.apps import AppConfig


class CryptoConfig(AppConfig):
    """Commercial cryptography (GB/T 39786-2021): identifiers sealed at rest; no models."""

    name = "gridgov.crypto"
    label = "crypto"
