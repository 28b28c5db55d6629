"""Models of the patrol part (tracks)."""

__all__: list[str] = []
