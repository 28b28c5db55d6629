"""The hook for finding a place by typed text. The gazetteer (built beside the portal) is wired in
here: `search(text)` returns up to `limit` matches as dicts {"label", "lon", "lat", "grid"}. Until
then it finds nothing and the page falls back to GPS, the map pin and the free-text address."""


def search(text: str, limit: int = 8) -> list[dict]:
    return []
