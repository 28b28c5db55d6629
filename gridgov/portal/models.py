"""Models of the portal part."""
