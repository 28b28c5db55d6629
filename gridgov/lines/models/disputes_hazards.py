"""Models of the lines part (disputes hazards)."""

__all__: list[str] = []
