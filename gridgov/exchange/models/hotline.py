"""Models of the 12345 work-order adapter."""

__all__: list[str] = []
