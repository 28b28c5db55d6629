"""Models of the patrol part (work)."""

__all__: list[str] = []
