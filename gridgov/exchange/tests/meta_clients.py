"""The client-systems section's entries in the shared meta-tests (see gridgov/tests/sections.py)."""

NOT_LISTS = {
    "gridgov.exchange.api_clients:list_clients": "every client system of the installation, for "
    "administrators only (a handful of rows, no area of their own to filter by)",
}

ALLOWED_READS = {
    ("exchange/forms_clients.py", "Area"): "the districts and streets a client system may be "
    "given, offered to administrators only (their scope is the whole installation)",
}
