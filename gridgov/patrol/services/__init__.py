"""Services of the patrol part, one module per section; the only code that changes its state."""
