"""The webhooks section's entries in the shared meta-tests (see gridgov/tests/sections.py)."""

NOT_LISTS = {
    "gridgov.exchange.api_webhooks:changes": "the change feed, read by cursor within the calling "
    "client system's scope",
    "gridgov.exchange.api_webhooks:list_endpoints": "every webhook endpoint, for client-system "
    "managers (a handful of rows)",
}

ALLOWED_READS = {
    ("exchange/api_webhooks.py", "ChangeEvent"): "the feed narrows events to the client "
    "system's own areas (its scope is the client's, not a user's); a replay is asked by a "
    "client-system manager and the service refuses events outside the client's scope",
}
