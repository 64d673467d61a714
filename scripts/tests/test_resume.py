"""Resumable stage training (train.py --resume-dir), on a tiny LLaVA built from a config, on CPU
with deterministic algorithms: a run that dies after a save and is rerun resumes at the saved step,
and its stage checkpoint equals an uninterrupted run's byte for byte; SIGTERM saves at the next
step boundary and exits 130; another run's resume file is ignored."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from scripts import progress, train
from scripts.checkpoint import RESUME_FILE

REPO = Path(__file__).resolve().parents[2]


def args(
    base: Path, data: Path, images: Path, out: Path, method: str, resume: Path, steps: int, every: int
) -> list[str]:
    return [
        *["--model", str(base), "--data", str(data), "--image-folder", str(images)],
        *["--method", method, "--r", "4", "--alpha", "8", "--experts", "2", "--dropout", "0.1"],
        *["--steps", str(steps), "--batch-size", "4", "--lr", "0.01", "--warmup-ratio", "0.2"],
        *["--out", str(out), "--resume-dir", str(resume), "--save-every", str(every)],
    ]


def files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


class Crash(Exception):
    """Stands for a SIGKILL: the process dies between two saves, with no chance to save."""


@pytest.mark.parametrize("method", ["lora", "moelora", "full"])
def test_killed_after_a_save_then_rerun_equals_an_uninterrupted_run(
    method: str,
    tiny_llava: Path,
    coin_mini: Path,
    rendered: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = coin_mini / "ImageNet" / "train.json"
    train.main(args(tiny_llava, data, rendered, tmp_path / "ref", method, tmp_path / "ref-scratch", 7, 2))
    assert not (tmp_path / "ref-scratch" / RESUME_FILE).exists(), "a finished run drops its resume file"

    # Dies after reporting step 5: the last save was at step 4.
    real = progress.report

    def report(step: int | None = None, *a: object, **k: object) -> None:
        real(step, *a, **k)  # type: ignore[arg-type]
        if step == 5:
            raise Crash

    monkeypatch.setattr(progress, "report", report)
    with pytest.raises(Crash):
        train.main(args(tiny_llava, data, rendered, tmp_path / "out", method, tmp_path / "scratch", 7, 2))
    monkeypatch.setattr(progress, "report", real)
    assert (tmp_path / "scratch" / RESUME_FILE).exists()
    capsys.readouterr()

    train.main(args(tiny_llava, data, rendered, tmp_path / "out", method, tmp_path / "scratch", 7, 2))
    printed = capsys.readouterr().out
    assert "resumed at step 4 of 7" in printed
    assert '{"coin":"progress","step":4,"total":7,"resumed":4}' in printed
    steps = [json.loads(line)["step"] for line in printed.splitlines() if line.startswith('{"coin"') and "loss" in line]
    assert steps == [5, 6, 7], "only the steps after the save run again"

    got, want = files(tmp_path / "out"), files(tmp_path / "ref")
    assert got.keys() == want.keys()
    for name in want:
        assert got[name] == want[name], f"{name} differs from the uninterrupted run's"


def test_sigterm_saves_at_the_step_boundary_and_exits_130(
    tiny_llava: Path, coin_mini: Path, rendered: Path, tmp_path: Path
) -> None:
    data = coin_mini / "ImageNet" / "train.json"
    scratch = tmp_path / "scratch"
    # Far more steps than it gets through before the signal, and no periodic save.
    a = args(tiny_llava, data, rendered, tmp_path / "out", "lora", scratch, 5000, 100000)
    proc = subprocess.Popen(
        [sys.executable, "-m", "scripts.train", *a], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    reported = 0
    for line in proc.stdout:
        if line.startswith('{"coin"') and json.loads(line).get("step", 0) >= 2:
            reported = json.loads(line)["step"]
            proc.send_signal(signal.SIGTERM)
            break
    rest, err = proc.communicate(timeout=300)
    assert proc.returncode == 130, err
    assert "rerun with the same --resume-dir" in err
    assert not (tmp_path / "out").exists()
    saved = torch.load(scratch / RESUME_FILE, weights_only=True)
    # Saved at the step boundary after the signal: every step reported so far is in it.
    stopped = [line for line in rest.splitlines() if line.startswith("stopped by signal")]
    assert stopped and f"at step {saved['step']} of 5000" in stopped[0]
    assert saved["step"] >= reported
    assert [e["step"] for e in saved["log"]] == list(range(1, saved["step"] + 1))


def test_another_runs_resume_file_is_ignored(
    tiny_llava: Path,
    coin_mini: Path,
    rendered: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = coin_mini / "ImageNet" / "train.json"
    scratch = tmp_path / "scratch"
    real = progress.report

    def report(step: int | None = None, *a: object, **k: object) -> None:
        real(step, *a, **k)  # type: ignore[arg-type]
        if step == 3:
            raise Crash

    monkeypatch.setattr(progress, "report", report)
    with pytest.raises(Crash):
        train.main([*args(tiny_llava, data, rendered, tmp_path / "a", "lora", scratch, 4, 2), "--lr", "0.02"])
    monkeypatch.setattr(progress, "report", real)
    assert (scratch / RESUME_FILE).exists()
    capsys.readouterr()
    # Another learning rate is another run: it starts at step 1.
    train.main(args(tiny_llava, data, rendered, tmp_path / "b", "lora", scratch, 4, 2))
    printed = capsys.readouterr().out
    assert "resumed" not in printed
    assert '{"coin":"progress","step":1,' in printed
