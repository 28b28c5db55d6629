"""Models of client systems and Open311."""

__all__: list[str] = []
