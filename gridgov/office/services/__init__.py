"""The office's domain operations: the only code that changes its state."""
