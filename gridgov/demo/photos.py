"""Photos for the demo's cases: small JPEG pictures drawn with Pillow (a street, a wall, a
problem marked in red), deterministic for the seed. They reach the cases as uploads do, through
the photo check and the case services."""

import io

import numpy as np
from PIL import Image, ImageDraw

SIZE = (320, 240)


def _picture(rng: np.random.Generator, *, fixed: bool) -> bytes:
    """A scene: sky, a building, the road; before handling a red-ringed problem lies on it,
    after handling the road is clear."""
    width, height = SIZE
    sky = tuple(int(v) for v in rng.integers(150, 220, 3))
    image = Image.new("RGB", SIZE, sky)
    draw = ImageDraw.Draw(image)
    horizon = int(height * rng.uniform(0.45, 0.6))
    grey = int(rng.integers(70, 120))
    draw.rectangle([0, horizon, width, height], fill=(grey, grey, grey + 5))
    left = int(rng.integers(10, width // 2))
    top = int(rng.integers(20, horizon - 40))
    wall = tuple(int(v) for v in rng.integers(120, 200, 3))
    draw.rectangle([left, top, left + int(rng.integers(80, 140)), horizon], fill=wall)
    for row in range(top + 10, horizon - 15, 22):
        for col in range(left + 8, left + 70, 24):
            draw.rectangle([col, row, col + 12, row + 12], fill=(60, 80, 110))
    for x in range(0, width, 40):
        draw.rectangle([x, height - 30, x + 20, height - 26], fill=(230, 230, 230))
    if not fixed:
        cx, cy = int(rng.integers(60, width - 60)), int(rng.integers(horizon + 20, height - 40))
        clutter = tuple(int(v) for v in rng.integers(20, 90, 3))
        draw.ellipse([cx - 28, cy - 14, cx + 28, cy + 14], fill=clutter)
        draw.ellipse([cx - 40, cy - 24, cx + 40, cy + 24], outline=(220, 30, 30), width=3)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70)
    return out.getvalue()


class Album:
    """A few pictures drawn once; each use uploads a copy, so every photo is its own file."""

    def __init__(self, rng: np.random.Generator, count: int = 6) -> None:
        self.before = [_picture(rng, fixed=False) for _ in range(count)]
        self.after = [_picture(rng, fixed=True) for _ in range(count)]
        self._rng = rng

    def problem(self) -> tuple[bytes, str]:
        return self.before[int(self._rng.integers(len(self.before)))], "problem.jpg"

    def solved(self) -> tuple[bytes, str]:
        return self.after[int(self._rng.integers(len(self.after)))], "solved.jpg"
