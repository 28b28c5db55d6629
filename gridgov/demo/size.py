"""How much of the demo to load: `load_demo --size small` (CI) loads a twentieth of the people
and cases through the same code as the full demo."""

SMALL_SHARE = 20


def portion(count: int, size: str) -> int:
    return max(1, count // SMALL_SHARE) if size == "small" and count else count
