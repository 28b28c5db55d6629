"""The phone app's entries in the shared meta-tests (see gridgov/tests/sections.py)."""

NOT_LISTS = {
    "gridgov.mobile.api:phone_bundle": "the caller's own grids for offline use, whole, no filter",
    "gridgov.mobile.api:phone_todo": "the caller's own to-do list, whole, no filter",
    "gridgov.mobile.api_corrections:list_conflicts": "the caller's own open conflicts, whole",
}

ALLOWED_READS = {
    ("mobile/views_corrections.py", "User"): "the full names of the desk editors that the "
    "conflicts in the asker's reach already name (by username); staff names only",
    ("mobile/views_corrections.py", "Area"): "the names of the areas of the conflicts in the "
    "asker's reach",
}
