"""The 12345 adapter's and the classifier's entries in the shared meta-tables."""

NOT_LISTS = {
    "gridgov.exchange.api_hotline:case_suggestion": "one case's suggestion",
}

ALLOWED_READS = {
    ("exchange/api_hotline.py", "Suggestion"): "the suggestion of a case found by get_for_user",
    ("exchange/api_hotline.py", "HotlineOrder"): "inbound: the order 12345 names, after its "
    "client key; the answer holds only what 12345 sent",
    ("exchange/views_classify.py", "Suggestion"): "the suggestion of a case found by get_for_user",
    ("exchange/views_hotline.py", "HotlineOrder"): "the order found by get_for_user just before, "
    "read again after the step",
}
