"""Services of the exchange part, one module per section; the only code that changes its state."""
