"""The progress line protocol: one JSON object a line on stdout, which coin turns into progress
events (the live view shows step/total, loss and an ETA). Any command rule may print these lines;
other stdout lines are plain log lines.

    {"coin": "progress", "step": 120, "total": 600, "loss": 0.52, "lr": 0.0002}

Keys: "coin" = "progress" (required), "step"/"total" (integers), "message" (text), and any other
key with a number or short text value (a metric). See src/exec/progress-lines.ts for the reader.
"""

from __future__ import annotations

import json
import sys


def progress_line(
    step: int | None = None,
    total: int | None = None,
    message: str | None = None,
    **metrics: float | int | str,
) -> str:
    """The protocol line for one progress report (without the newline)."""
    record: dict[str, float | int | str] = {"coin": "progress"}
    if step is not None:
        record["step"] = step
    if total is not None:
        record["total"] = total
    if message is not None:
        record["message"] = message
    for name, value in metrics.items():
        record[name] = round(value, 6) if isinstance(value, float) else value
    return json.dumps(record, separators=(",", ":"))


def report(
    step: int | None = None,
    total: int | None = None,
    message: str | None = None,
    **metrics: float | int | str,
) -> None:
    """Prints one progress line and flushes, so coin sees it while the script runs."""
    print(progress_line(step, total, message, **metrics), file=sys.stdout, flush=True)
