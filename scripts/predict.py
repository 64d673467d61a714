"""Greedy answers for a CoIN test/val file, written as CoIN's `merge.jsonl` rows
(`question_id, prompt, text, answer_id, model_id, metadata`), batched, on any device.

    python3 -m scripts.predict --model BASE [--checkpoint STAGE_DIR] --data test.json
        [--image-folder DIR] --out DIR [--batch-size 16] [--max-new-tokens 32]

The checkpoint's adapter is applied as trained (not merged)."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import torch

from . import progress
from .checkpoint import CheckpointError, Method, load_for_stage, read_stage
from .data import DataError, ImageSource, _ids, image_token_count, load_records, pixel_values, test_prompt
from .train import pick_device

PREDICTIONS_FILE = "merge.jsonl"


def parse(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, required=True)
    ap.add_argument("--checkpoint", type=Path, help="a stage checkpoint (omit: the base model, zero-shot)")
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--image-folder", type=Path)
    ap.add_argument("--scene-text", action="store_true")
    ap.add_argument("--task", default="", help="names answer ids: <task>-<i>")
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--max-new-tokens", type=int, default=32)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--out", type=Path, required=True)
    return ap.parse_args(argv)


def checkpoint_digest(path: Path | None, base: Path) -> str:
    """Which weights answered: a digest of the checkpoint's (or base model's) safetensors files."""
    h = hashlib.sha256()
    for f in sorted((path or base).glob("*.safetensors")):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:32]


def predict(a: argparse.Namespace) -> list[dict[str, Any]]:
    device = pick_device(a.device)
    method = Method(**read_stage(a.checkpoint)["method"]) if a.checkpoint else Method("full")
    loaded = load_for_stage(a.model, method, a.checkpoint)
    model = loaded.model.to(device).eval()
    tok = loaded.tokenizer
    config = getattr(model, "config", None)
    image_tokens = image_token_count(config) if loaded.processor is not None and config is not None else 0
    images = ImageSource(a.image_folder, a.scene_text)
    records = load_records(a.data)
    rows: list[dict[str, Any]] = []
    bos = [tok.bos_token_id] if tok.bos_token_id is not None else []
    for start in range(0, len(records), a.batch_size):
        chunk = records[start : start + a.batch_size]
        prompts = [test_prompt(r, images, f"{a.data} record {start + i}") for i, r in enumerate(chunk)]
        ids = [bos + _ids(tok, text, image_tokens) for text, _ in prompts]
        width = max(map(len, ids))
        # Left padding: every row's answer starts at the same position.
        input_ids = torch.full((len(ids), width), tok.pad_token_id, dtype=torch.long)
        mask = torch.zeros_like(input_ids)
        for i, row in enumerate(ids):
            input_ids[i, width - len(row) :] = torch.tensor(row)
            mask[i, width - len(row) :] = 1
        inputs: dict[str, torch.Tensor] = {
            "input_ids": input_ids.to(device),
            "attention_mask": mask.to(device),
        }
        pixels = pixel_values(loaded.processor, [p for _, p in prompts if p is not None])
        if pixels is not None:
            inputs["pixel_values"] = pixels.to(device)
        with (
            torch.inference_mode(),
            torch.autocast("cuda", dtype=torch.bfloat16, enabled=device.type == "cuda"),
        ):
            out = model.generate(  # type: ignore[operator]
                **inputs,
                max_new_tokens=a.max_new_tokens,
                do_sample=False,
                pad_token_id=tok.pad_token_id,
                eos_token_id=tok.eos_token_id,
            )
        answers = tok.batch_decode(out[:, width:], skip_special_tokens=True)
        for i, (r, text) in enumerate(zip(chunk, answers, strict=True)):
            rows.append(
                {
                    "question_id": r["question_id"],
                    "prompt": r["text"],
                    "text": text.strip(),
                    "answer_id": f"{a.task or a.data.parent.name}-{start + i}",
                    "model_id": (a.checkpoint or a.model).name,
                    "metadata": {},
                }
            )
        progress.report(min(start + a.batch_size, len(records)), len(records))
    return rows


def main(argv: list[str] | None = None) -> None:
    a = parse(argv)
    try:
        rows = predict(a)
    except (DataError, CheckpointError) as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / PREDICTIONS_FILE).write_text("".join(json.dumps(r) + "\n" for r in rows))
    meta = {"task": a.task, "checkpoint": checkpoint_digest(a.checkpoint, a.model), "n": len(rows)}
    (a.out / "meta.json").write_text(json.dumps(meta, indent=1) + "\n")
    print(f"{len(rows)} predictions -> {a.out / PREDICTIONS_FILE}")


if __name__ == "__main__":
    main()
