"""Greedy answers for CoIN test/val files, written as CoIN's `merge.jsonl` rows
(`question_id, prompt, text, answer_id, model_id, metadata`), batched, on any device.

    python3 -m scripts.predict --model BASE [--checkpoint STAGE_DIR] --data test.json --out DIR
    python3 -m scripts.predict --model BASE [--checkpoint STAGE_DIR] --eval gqa=test.json --eval ... --out DIR

With `--data` the rows go to DIR/merge.jsonl; with `--eval TASK=FILE` (several tasks, one model
load) to DIR/TASK/merge.jsonl. Each folder also gets meta.json (task, checkpoint digest, n).
The checkpoint's adapter is applied as trained (not merged); without one the base model answers
(the zero-shot row)."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import torch

from . import progress
from .checkpoint import CheckpointError, Loaded, Method, load_for_stage, read_stage
from .data import DataError, ImageSource, _ids, image_token_count, load_records, pixel_values, test_prompt
from .device import pick_device

PREDICTIONS_FILE = "merge.jsonl"


def parse(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, required=True)
    ap.add_argument("--checkpoint", type=Path, help="a stage checkpoint (omit: the base model, zero-shot)")
    ap.add_argument("--data", type=Path, help="one test file -> OUT/merge.jsonl")
    ap.add_argument("--eval", action="append", default=[], metavar="TASK=FILE", help="-> OUT/TASK/merge.jsonl")
    ap.add_argument("--image-folder", type=Path)
    ap.add_argument("--scene-text", action="store_true")
    ap.add_argument("--task", default="", help="names answer ids (<task>-<i>) with --data")
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--max-new-tokens", type=int, default=32)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args(argv)
    if bool(a.data) == bool(a.eval):
        ap.error("give either --data FILE or one or more --eval TASK=FILE")
    return a


def checkpoint_digest(path: Path | None, base: Path) -> str:
    """Which weights answered: a digest of the checkpoint's (or base model's) safetensors files."""
    h = hashlib.sha256()
    for f in sorted((path or base).glob("*.safetensors")):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:32]


def answer(
    loaded: Loaded,
    device: torch.device,
    data: Path,
    images: ImageSource,
    task: str,
    model_id: str,
    batch_size: int,
    max_new_tokens: int,
) -> list[dict[str, Any]]:
    model: Any = loaded.model
    tok = loaded.tokenizer
    config = getattr(model, "config", None)
    image_tokens = image_token_count(config) if loaded.processor is not None and config is not None else 0
    records = load_records(data)
    rows: list[dict[str, Any]] = []
    bos = [tok.bos_token_id] if tok.bos_token_id is not None else []
    for start in range(0, len(records), batch_size):
        chunk = records[start : start + batch_size]
        prompts = [test_prompt(r, images, f"{data} record {start + i}") for i, r in enumerate(chunk)]
        ids = [bos + _ids(tok, text, image_tokens) for text, _ in prompts]
        width = max(map(len, ids))
        # Left padding: every row's answer starts at the same position.
        input_ids = torch.full((len(ids), width), tok.pad_token_id, dtype=torch.long)
        mask = torch.zeros_like(input_ids)
        for i, row in enumerate(ids):
            input_ids[i, width - len(row) :] = torch.tensor(row)
            mask[i, width - len(row) :] = 1
        inputs: dict[str, torch.Tensor] = {"input_ids": input_ids.to(device), "attention_mask": mask.to(device)}
        pixels = pixel_values(loaded.processor, [p for _, p in prompts if p is not None])
        if pixels is not None:
            inputs["pixel_values"] = pixels.to(device)
        with torch.inference_mode(), torch.autocast("cuda", dtype=torch.bfloat16, enabled=device.type == "cuda"):
            out = model.generate(
                **inputs,
                max_new_tokens=max_new_tokens,
                do_sample=False,
                pad_token_id=tok.pad_token_id,
                eos_token_id=tok.eos_token_id,
            )
        texts = tok.batch_decode(out[:, width:], skip_special_tokens=True)
        for i, (r, text) in enumerate(zip(chunk, texts, strict=True)):
            rows.append(
                {
                    "question_id": r["question_id"],
                    "prompt": r["text"],
                    "text": text.strip(),
                    "answer_id": f"{task}-{start + i}",
                    "model_id": model_id,
                    "metadata": {},
                }
            )
        progress.report(min(start + batch_size, len(records)), len(records), message=task)
    return rows


def main(argv: list[str] | None = None) -> None:
    a = parse(argv)
    jobs: list[tuple[str, Path, Path]] = []  # (task, test file, output folder)
    if a.data:
        jobs.append((a.task or a.data.parent.name, a.data, a.out))
    for spec in a.eval:
        task, sep, path = spec.partition("=")
        if not sep or not task or not path:
            print(f"error: --eval {spec!r}: expected TASK=FILE", file=sys.stderr)
            sys.exit(2)
        jobs.append((task, Path(path), a.out / task))
    try:
        device = pick_device(a.device)
        method = Method(**read_stage(a.checkpoint)["method"]) if a.checkpoint else Method("full")
        loaded = load_for_stage(a.model, method, a.checkpoint)
        loaded.model = loaded.model.to(device).eval()
        images = ImageSource(a.image_folder, a.scene_text)
        digest = checkpoint_digest(a.checkpoint, a.model)
        model_id = (a.checkpoint or a.model).name
        for task, data, out in jobs:
            rows = answer(loaded, device, data, images, task, model_id, a.batch_size, a.max_new_tokens)
            out.mkdir(parents=True, exist_ok=True)
            (out / PREDICTIONS_FILE).write_text("".join(json.dumps(r) + "\n" for r in rows))
            (out / "meta.json").write_text(json.dumps({"task": task, "checkpoint": digest, "n": len(rows)}) + "\n")
            print(f"{task}: {len(rows)} predictions -> {out / PREDICTIONS_FILE}")
    except (DataError, CheckpointError) as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
