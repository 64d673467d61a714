"""CoIN stage training: one stage of a continual-instruction-tuning sequence (or the multitask
bound: several --data files at once).

    python3 -m scripts.train --model BASE [--prev STAGE_DIR] --data train.json [--data ...]
        [--image-folder DIR] --method lora|moelora|full [--r 8 --alpha 16 --experts 4]
        --lr 2e-4 [--epochs 1 | --steps N] --out DIR

Stage k starts from stage k−1's adapter and projector (not merged) with a fresh optimizer; cosine
schedule with warmup, AdamW with weight decay, gradient accumulation, gradient clipping at 1.0 (as
HF Trainer), bf16 autocast on CUDA and fp32 on CPU, seeded. Prints progress lines (scripts/progress.py)
and writes trainer_state.json with every optimizer step's {step, loss, lr}."""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch

from . import progress
from .checkpoint import CheckpointError, Loaded, Method, load_for_stage, save_stage
from .data import DataError, Example, ImageSource, collate, image_token_count, mix, train_example
from .device import pick_device, seed_everything
from .schedule import cosine_with_warmup, warmup_steps


def parse(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, required=True, help="base model folder (HF)")
    ap.add_argument("--prev", type=Path, help="previous stage's checkpoint (omit for stage 1)")
    ap.add_argument("--data", type=Path, action="append", required=True, help="CoIN train.json (repeat: multitask)")
    ap.add_argument("--replay", type=Path, action="append", default=[], help="extra records mixed in")
    ap.add_argument("--image-folder", type=Path)
    ap.add_argument("--scene-text", action="store_true", help="CoIN-mini scenes as text (text-only models)")
    ap.add_argument("--method", choices=["full", "lora", "moelora"], default="lora")
    ap.add_argument("--r", type=int, default=8)
    ap.add_argument("--alpha", type=int, default=16)
    ap.add_argument("--dropout", type=float, default=0.05)
    ap.add_argument("--experts", type=int, default=4)
    ap.add_argument("--lr", type=float, default=2e-4)
    ap.add_argument("--epochs", type=float, default=1.0)
    ap.add_argument("--steps", type=int, default=0, help="optimizer steps (overrides --epochs)")
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--grad-accum", type=int, default=1)
    ap.add_argument("--warmup-ratio", type=float, default=0.03)
    ap.add_argument("--weight-decay", type=float, default=0.0)
    ap.add_argument("--max-len", type=int, default=512)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--device", default="auto", help="auto | cpu | cuda")
    ap.add_argument("--out", type=Path, required=True)
    return ap.parse_args(argv)


def batches(examples: list[Example], batch_size: int, seed: int) -> Iterator[list[Example]]:
    """Endless shuffled epochs; one seeded generator, so the order is the same every run."""
    g = torch.Generator().manual_seed(seed)
    while True:
        order = torch.randperm(len(examples), generator=g).tolist()
        for i in range(0, len(order) - batch_size + 1 if len(order) >= batch_size else 1, batch_size):
            yield [examples[j] for j in order[i : i + batch_size]]


def optimizer(model: torch.nn.Module, lr: float, weight_decay: float) -> torch.optim.AdamW:
    """AdamW over the trainable parameters; as HF Trainer, no decay on biases and norms (1-D)."""
    params = [p for p in model.parameters() if p.requires_grad]
    groups = [
        {"params": [p for p in params if p.ndim >= 2], "weight_decay": weight_decay},
        {"params": [p for p in params if p.ndim < 2], "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=lr)


def train(a: argparse.Namespace) -> dict[str, Any]:
    device = pick_device(a.device)
    seed_everything(a.seed, device)
    method = Method(a.method, a.r, a.alpha, a.dropout, a.experts)
    progress.report(message=f"loading {a.model.name} ({method.kind})")
    loaded: Loaded = load_for_stage(a.model, method, a.prev)
    model = loaded.model.to(device)
    config = getattr(model, "config", None)
    image_tokens = image_token_count(config) if loaded.processor is not None and config is not None else 0
    images = ImageSource(a.image_folder, a.scene_text)
    records = mix(a.data, a.replay, a.seed)
    if not records:
        raise DataError(f"{', '.join(map(str, a.data))}: no training records")
    examples = [
        train_example(r, loaded.tokenizer, images, image_tokens, a.max_len, f"{a.data[0]} record {i}")
        for i, r in enumerate(records)
    ]
    per_step = a.batch_size * a.grad_accum
    total = a.steps or max(1, math.ceil(a.epochs * len(examples) / per_step))
    warmup = warmup_steps(total, a.warmup_ratio)
    opt = optimizer(model, a.lr, a.weight_decay)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: cosine_with_warmup(s, total, warmup))
    stream = batches(examples, min(a.batch_size, len(examples)), a.seed)
    pad = loaded.tokenizer.pad_token_id
    autocast = torch.autocast("cuda", dtype=torch.bfloat16, enabled=device.type == "cuda")
    trainable = [p for p in model.parameters() if p.requires_grad]
    log: list[dict[str, float]] = []
    model.train()
    started = time.perf_counter()
    tokens = 0
    for step in range(total):
        loss_sum = 0.0
        for _ in range(a.grad_accum):
            batch = {k: v.to(device) for k, v in collate(next(stream), pad, loaded.processor).items()}
            tokens += int(batch["attention_mask"].sum())
            with autocast:
                loss = model(**batch).loss / a.grad_accum
            loss.backward()
            loss_sum += float(loss.detach())
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        lr = float(sched.get_last_lr()[0])
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        log.append({"step": step + 1, "loss": round(loss_sum, 6), "lr": lr})
        progress.report(step + 1, total, loss=loss_sum, lr=lr)
    seconds = time.perf_counter() - started
    # Only reproducible facts go into the checkpoint (same inputs, same bytes); timings go to stdout.
    state = {
        "global_step": total,
        "epochs": total * per_step / len(examples),
        "examples": len(examples),
        "device": device.type,
        "dtype": "bf16-autocast" if device.type == "cuda" else "fp32",
        "seed": a.seed,
        "log_history": log,
    }
    model.to("cpu")
    save_stage(loaded, method, a.out, state)
    return state | {"train_seconds": round(seconds, 3), "tokens_per_second": round(tokens / max(seconds, 1e-9), 1)}


def main(argv: list[str] | None = None) -> None:
    a = parse(argv)
    try:
        state = train(a)
    except (DataError, CheckpointError) as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    print(
        f"trained {state['global_step']} steps in {state['train_seconds']} s "
        f"({state['tokens_per_second']} tokens/s on {state['device']}) -> {a.out}"
    )


if __name__ == "__main__":
    main()
