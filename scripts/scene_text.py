"""CoIN-mini scenes (the JSON "images" of datasets/coin-mini) as text, for text-only models: each
object as `<size> <color> <class> at <row>-<column>[ reading "<TEXT>"]`, in reading order."""

from __future__ import annotations

from typing import Any

ROWS = ("top", "middle", "bottom")
COLS = ("left", "center", "right")


def describe(scene: dict[str, Any]) -> str:
    width, height = scene["width"], scene["height"]
    parts = []
    objects = sorted(scene["objects"], key=lambda o: (o["y"] + o["h"] / 2, o["x"] + o["w"] / 2))
    for o in objects:
        row = min(2, int(3 * (o["y"] + o["h"] / 2) / height))
        col = min(2, int(3 * (o["x"] + o["w"] / 2) / width))
        size = "large" if o["w"] * o["h"] > 0.05 * width * height else "small"
        text = f' reading "{o["text"]}"' if o.get("text") else ""
        parts.append(f"{size} {o['color']} {o['class']} at {ROWS[row]}-{COLS[col]}{text}")
    return "Scene: " + ("; ".join(parts) if parts else "empty") + "."
