from __future__ import annotations

import json

from scripts.progress import progress_line


def test_progress_line_is_one_json_object_with_the_marker() -> None:
    line = progress_line(3, 10, loss=0.123456789, lr=2e-4)
    assert "\n" not in line
    assert json.loads(line) == {"coin": "progress", "step": 3, "total": 10, "loss": 0.123457, "lr": 0.0002}


def test_progress_line_message_only() -> None:
    assert json.loads(progress_line(message="loading")) == {"coin": "progress", "message": "loading"}
