"""Entries of the shared meta-tests for patrols and tracks."""

NOT_LISTS = {
    "gridgov.patrol.api_tracks:current_patrol": "the asker's one open patrol, no list",
    "gridgov.patrol.api_tracks:live_positions": "the map of open sessions within scope, polled "
    "with ETags; no filters (every on-duty member in scope is shown)",
    "gridgov.patrol.api_tracks:osmand": "a tracker's position upload (OsmAnd protocol uses GET)",
}
ALLOWED_READS = {
    ("patrol/api_tracks.py", "PatrolSession"): "_own_session: the asker's own session "
    "(user=request.user), 404 for any other",
    ("patrol/queries_tracks.py", "PatrolSession"): "sessions_of: the viewer's own sessions "
    "(member is the viewer); others' go through restrict(VIEW_TRACKS)",
    ("patrol/queries_tracks.py", "Position"): "positions_of: the viewer's own positions "
    "(member is the viewer); others' go through restrict(VIEW_TRACKS)",
}
