"""What InsCL calls an instruction, read from CoIN train files exactly as coin's TypeScript InsCL
rule reads it (rules/replay/replay-rules.ts `unitOf`), so the Python tagger's and embedder's keys
are the strings that rule looks up.

- `prompt`: the first human turn without its `<image>` token (rules/coin/files.ts `stripImageToken`);
- `instruction`: that prompt's last line (CoIN's template line)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

IMAGE_TOKEN = "<image>"
Unit = Literal["prompt", "instruction"]


def strip_image_token(value: str) -> str:
    if value.startswith(f"{IMAGE_TOKEN}\n"):
        return value[len(IMAGE_TOKEN) + 1 :]
    return value.replace(IMAGE_TOKEN, "", 1).strip()


def unit_of(record: dict[str, Any], unit: Unit) -> str:
    human = next((t for t in record.get("conversations", []) if t.get("from") == "human"), None)
    prompt = strip_image_token(str(human["value"])) if human else ""
    return prompt if unit == "prompt" else prompt.split("\n")[-1]


def distinct_units(paths: list[Path], unit: Unit) -> list[str]:
    """Every distinct unit of the files, in first-seen order."""
    seen: dict[str, None] = {}
    for path in paths:
        for record in json.loads(path.read_text()):
            seen.setdefault(unit_of(record, unit), None)
    return list(seen)
