"""The gazetteer's entries in the shared meta-tests."""

NOT_LISTS = {
    "gridgov.registry.gazetteer_api:search_addresses": "search as you type: the few best matches "
    "of one query (ranked, capped), not a filtered list",
    "gridgov.registry.gazetteer_api:reverse_address": "the one address nearest a point",
}
