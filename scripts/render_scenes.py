"""Renders CoIN-mini scenes (JSON files under images/) to small PNGs at the same relative paths
with a .png suffix, so a LLaVA-style model sees pixels: each object a filled box in its colour
(printed text as a darker band). The scripts read `x.png` wherever a record names `x.json`.

    python3 -m scripts.render_scenes --source <coin-mini dir> --out DIR [--size 32]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from PIL import Image, ImageDraw

COLORS = {
    "red": (220, 40, 40),
    "green": (40, 170, 60),
    "blue": (40, 80, 220),
    "yellow": (240, 220, 40),
    "black": (20, 20, 20),
    "white": (250, 250, 250),
    "brown": (130, 80, 40),
    "gray": (128, 128, 128),
    "grey": (128, 128, 128),
    "orange": (250, 140, 20),
    "purple": (140, 60, 180),
    "pink": (250, 150, 190),
}
BACKGROUND = (200, 215, 200)


def render(scene: dict, size: int) -> Image.Image:
    """The scene scaled to `size`×`size` (CoIN pads to a square; a tiny model needs no aspect)."""
    sx, sy = size / scene["width"], size / scene["height"]
    image = Image.new("RGB", (size, size), BACKGROUND)
    draw = ImageDraw.Draw(image)
    for o in scene["objects"]:
        box = (o["x"] * sx, o["y"] * sy, (o["x"] + o["w"]) * sx - 1, (o["y"] + o["h"]) * sy - 1)
        color = COLORS.get(o["color"], (90, 90, 90))
        draw.rectangle(box, fill=color)
        if o.get("text"):
            shade = tuple(c // 2 for c in color)
            mid = (box[1] + box[3]) / 2
            draw.rectangle((box[0], mid - 1, box[2], mid + 1), fill=shade)
    return image


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--size", type=int, default=32)
    a = ap.parse_args(argv)
    n = 0
    for path in sorted((a.source / "images").rglob("*.json")):
        target = a.out / path.relative_to(a.source).with_suffix(".png")
        target.parent.mkdir(parents=True, exist_ok=True)
        render(json.loads(path.read_text()), a.size).save(target, optimize=True)
        n += 1
    print(f"rendered {n} scenes at {a.size}x{a.size} -> {a.out}")


if __name__ == "__main__":
    main()
