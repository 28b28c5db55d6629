"""Models of the lines part (populations rentals)."""

__all__: list[str] = []
