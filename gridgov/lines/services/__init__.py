"""Services of the lines part, one module per section; the only code that changes its state."""
