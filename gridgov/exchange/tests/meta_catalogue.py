"""The data catalogue's entries in the shared meta-tests (see gridgov/tests/sections.py)."""

NOT_LISTS = {
    "gridgov.exchange.api_catalogue:get_catalogue": "the catalogue (a fixed set of data sets in "
    "code) and the calling client system's own applications; answers only a client's key",
    "gridgov.exchange.api_catalogue:list_packages": "the calling client system's own packages "
    "(its latest 200); answers only a client's key, no area of its own to filter by",
}
