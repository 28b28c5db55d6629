"""The federation section's entries in the shared meta-tests (see gridgov/tests/sections.py)."""

NOT_LISTS = {
    "gridgov.exchange.views_federation:federation_page": "the member platforms (a handful, "
    "restricted to the manager's scope), the newest 20 cases escalated here and tasks from above, "
    "and the newest 50 messages between levels",
    "gridgov.exchange.views_federation:assessment_page": "a ranking of the member districts (a "
    "handful, restricted to the asker's scope), each member once whatever the period: the period "
    "chooses the figures, it filters no rows",
    "gridgov.exchange.api_federation:district_assessment": "the same ranking as "
    "/exchange/federation/assessment/ (services/federation_assessment.py serves both)",
}
