"""The federation section's entries in the shared meta-tests (see gridgov/tests/sections.py)."""

NOT_LISTS = {
    "gridgov.exchange.views_federation:federation_page": "the member platforms (a handful, "
    "restricted to the manager's scope), the newest 20 cases escalated here and tasks from above, "
    "and the newest 50 messages between levels",
}
