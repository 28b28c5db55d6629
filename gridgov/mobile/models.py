"""Models of the mobile part."""
