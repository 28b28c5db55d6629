"""Models of the exchange part."""
