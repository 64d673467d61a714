"""Instruction embeddings for InsCL's task distances from a model's hidden states (mean-pooled
last layer), for the Python path; coin's InsCL rule reads them in place of its embedded
learner's encoder (`encoder: 'file'`).

    python3 -m scripts.inscl_embed --model DIR [--checkpoint STAGE] --data task1/train.json --data ... \
        [--unit prompt] --out DIR

InsCL embeds every task's instructions once with a fixed encoder (`encoded_ins_dist.pkl`); so does
this: one file over all tasks. Writes OUT/embeddings.json (`{"dim", "instructions": [...]}`, the
order of the rows) and OUT/embeddings.f32 (row-major little-endian float32, one row per
instruction): compact at LLaVA's 4096 dimensions, and read by TypeScript without a parser."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from . import progress
from .inscl_units import Unit, distinct_units


def write_embeddings(out: Path, instructions: list[str], vectors: np.ndarray) -> None:
    if vectors.shape[0] != len(instructions):
        raise ValueError(f"{vectors.shape[0]} vectors for {len(instructions)} instructions")
    out.mkdir(parents=True, exist_ok=True)
    dim = int(vectors.shape[1]) if vectors.ndim == 2 else 0
    (out / "embeddings.json").write_text(json.dumps({"dim": dim, "instructions": instructions}, ensure_ascii=False))
    (out / "embeddings.f32").write_bytes(np.ascontiguousarray(vectors, dtype="<f4").tobytes())


def read_embeddings(out: Path) -> tuple[list[str], np.ndarray]:
    meta = json.loads((out / "embeddings.json").read_text())
    rows = np.frombuffer((out / "embeddings.f32").read_bytes(), dtype="<f4")
    return meta["instructions"], rows.reshape(len(meta["instructions"]), meta["dim"])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, required=True, help="the encoding model (HF folder)")
    ap.add_argument("--checkpoint", type=Path, help="a stage checkpoint on top of it (default: the base)")
    ap.add_argument("--data", type=Path, action="append", required=True, help="CoIN train.json (repeat per task)")
    ap.add_argument("--unit", choices=["prompt", "instruction"], default="prompt")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args(argv)
    unit: Unit = a.unit
    try:
        instructions = distinct_units(a.data, unit)
    except (OSError, json.JSONDecodeError) as e:
        print(f"error: cannot read the instructions ({e})", file=sys.stderr)
        sys.exit(2)

    from .checkpoint import CheckpointError, Method, load_for_stage, read_stage
    from .device import pick_device
    from .lm_text import embed

    try:
        method = Method(**read_stage(a.checkpoint)["method"]) if a.checkpoint else Method("full")
        loaded = load_for_stage(a.model, method, a.checkpoint)
    except CheckpointError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    model = loaded.model.to(pick_device(a.device)).eval()
    rows = []
    for start in range(0, len(instructions), a.batch_size):
        rows.append(embed(model, loaded.tokenizer, instructions[start : start + a.batch_size], a.batch_size).numpy())
        progress.report(min(start + a.batch_size, len(instructions)), len(instructions), message="embedding")
    vectors = np.concatenate(rows) if rows else np.zeros((0, 0), dtype=np.float32)
    write_embeddings(a.out, instructions, vectors)
    print(f"embedded {len(instructions)} instructions ({vectors.shape[-1]} dimensions) -> {a.out}")


if __name__ == "__main__":
    main()
