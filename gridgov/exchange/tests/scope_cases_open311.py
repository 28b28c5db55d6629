"""Open311 in the scope matrix: its routes are public (no staff login). They show only cases of
allow-listed categories, without reporter, staff text or exact point (test_open311.py), and a
POST reaches only the areas of the client system's key."""

CASES: list = []

_WHY = (
    "public Open311 GeoReport: no staff session; only allow-listed categories without personal "
    "data (test_open311.py), POSTs limited to the client key's areas"
)
UNSCOPED = {
    f"open311/v2/{route}": _WHY
    for route in (
        "discovery.<o311fmt:fmt>",
        "services.<o311fmt:fmt>",
        "services/<str:service_code>.<o311fmt:fmt>",
        "requests.<o311fmt:fmt>",
        "requests/<str:service_request_id>.<o311fmt:fmt>",
        "tokens/<str:token_id>.<o311fmt:fmt>",
    )
}
