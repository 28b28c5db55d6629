"""Finding a place by typed text for the public pages: the registry's address gazetteer, asked as
the portal's system account (addresses are the public names of buildings, places and roads; no
one's personal data). `search(text)` returns up to `limit` matches as dicts {"label", "lon",
"lat", "grid"}."""

from gridgov.accounts.system import PORTAL, system_user
from gridgov.registry import gazetteer


def search(text: str, limit: int = 8) -> list[dict]:
    text = (text or "").strip()
    if not text:
        return []
    hits = gazetteer.search(system_user(PORTAL), text, limit=limit)
    return [
        {
            "label": hit.address.name,
            "lon": hit.address.lon,
            "lat": hit.address.lat,
            "grid": hit.address.area_code,
        }
        for hit in hits
    ]
