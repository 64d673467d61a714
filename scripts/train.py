"""CoIN stage training: one stage of a continual-instruction-tuning sequence (or the multitask
bound: several --data files at once).

    python3 -m scripts.train --model BASE [--prev STAGE_DIR] --data train.json [--data ...]
        [--image-folder DIR] --method lora|moelora|full [--r 8 --alpha 16 --experts 4]
        --lr 2e-4 [--epochs 1 | --steps N] [--resume-dir DIR [--save-every N]] --out DIR

Stage k starts from stage k−1's adapter and projector (not merged) with a fresh optimizer; cosine
schedule with warmup, AdamW with weight decay, gradient accumulation, gradient clipping at 1.0 (as
HF Trainer), bf16 autocast on CUDA and fp32 on CPU, seeded. Prints progress lines (scripts/progress.py)
and writes trainer_state.json with every optimizer step's {step, loss, lr}.

With --resume-dir (coin passes the target's ctx.scratch), the run saves a resume checkpoint there
every --save-every optimizer steps and on SIGTERM/SIGINT (at the next step boundary, then exits
130), and a rerun of the same arguments continues from it, printing "resumed at step N" and a
progress line with `resumed`. On CPU (deterministic algorithms) a resumed run's checkpoint equals an
uninterrupted run's byte for byte (scripts/tests/test_resume.py); on CUDA it is as deterministic as
the kernels are (cuBLAS/atomics may differ between runs, resumed or not)."""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import math
import random
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch

from . import progress
from .checkpoint import (
    CheckpointError,
    Loaded,
    Method,
    drop_resume,
    load_for_stage,
    load_resume,
    save_resume,
    save_stage,
)
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
    ap.add_argument("--resume-dir", type=Path, help="keep a resume checkpoint here and continue from it")
    ap.add_argument("--save-every", type=int, default=0, help="optimizer steps between saves (0: a tenth of the run)")
    return ap.parse_args(argv)


# What does not change a run's result: the same run may resume with other values of these.
NOT_THE_RUN = ("out", "resume_dir", "save_every", "device")


def run_identity(a: argparse.Namespace) -> str:
    """The arguments, and the size and mtime of the data files (an edited file is another run)."""
    args = {k: str(v) for k, v in sorted(vars(a).items()) if k not in NOT_THE_RUN}
    files = {str(p): [p.stat().st_size, p.stat().st_mtime_ns] for p in [*a.data, *a.replay] if p.exists()}
    return hashlib.sha256(json.dumps([args, files]).encode()).hexdigest()


class Batches:
    """Endless shuffled epochs; one seeded generator, so the order is the same every run. Its state
    (the generator, the epoch's order, the position in it) goes into a resume checkpoint."""

    def __init__(self, examples: list[Example], batch_size: int, seed: int) -> None:
        self.examples = examples
        self.size = batch_size
        self.g = torch.Generator().manual_seed(seed)
        self.order: list[int] = []
        self.pos = 0

    def __iter__(self) -> Iterator[list[Example]]:
        return self

    def __next__(self) -> list[Example]:
        n = len(self.examples)
        # The last partial batch of an epoch is dropped (a full epoch when n < size: one batch).
        if not self.order or self.pos + min(self.size, n) > n:
            self.order = torch.randperm(n, generator=self.g).tolist()
            self.pos = 0
        batch = [self.examples[j] for j in self.order[self.pos : self.pos + self.size]]
        self.pos += self.size
        return batch

    def state_dict(self) -> dict[str, Any]:
        return {"g": self.g.get_state(), "order": list(self.order), "pos": self.pos}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.g.set_state(state["g"])
        self.order = list(state["order"])
        self.pos = int(state["pos"])


class StopRequest:
    """SIGTERM (scancel, coin's cancel) or SIGINT asks the loop to save and stop at the next step
    boundary, instead of dying mid-step with the progress since the last save lost."""

    def __init__(self) -> None:
        self.signal: int | None = None
        self.previous = {s: signal.signal(s, self.handle) for s in (signal.SIGTERM, signal.SIGINT)}

    def handle(self, signum: int, _frame: object) -> None:
        self.signal = signum

    def restore(self) -> None:
        for s, h in self.previous.items():
            signal.signal(s, h)


def optimizer(model: torch.nn.Module, lr: float, weight_decay: float) -> torch.optim.AdamW:
    """AdamW over the trainable parameters; as HF Trainer, no decay on biases and norms (1-D)."""
    params = [p for p in model.parameters() if p.requires_grad]
    groups = [
        {"params": [p for p in params if p.ndim >= 2], "weight_decay": weight_decay},
        {"params": [p for p in params if p.ndim < 2], "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=lr)


class Interrupted(Exception):
    """The run stopped on a signal after saving its resume checkpoint."""

    def __init__(self, step: int) -> None:
        super().__init__(f"interrupted at step {step}")
        self.step = step


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
    stream = Batches(examples, min(a.batch_size, len(examples)), a.seed)
    pad = loaded.tokenizer.pad_token_id
    autocast = torch.autocast("cuda", dtype=torch.bfloat16, enabled=device.type == "cuda")
    trainable = [p for p in model.parameters() if p.requires_grad]
    log: list[dict[str, float]] = []
    named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    run = run_identity(a)
    every = a.save_every if a.save_every > 0 else max(1, math.ceil(total / 10))

    def resume_state(step: int) -> dict[str, Any]:
        return {
            "step": step,
            "trainable": {n: p.detach().to("cpu", copy=True) for n, p in named},
            "optimizer": opt.state_dict(),
            "scheduler": sched.state_dict(),
            "batches": stream.state_dict(),
            "log": list(log),
            "rng": {
                "torch": torch.get_rng_state(),
                "cuda": torch.cuda.get_rng_state_all() if device.type == "cuda" else [],
                "python": random.getstate(),
            },
        }

    def stopped(step: int) -> None:
        """Asked to stop (SIGTERM/SIGINT): keep the progress up to `step`, then exit as interrupted."""
        assert a.resume_dir is not None and stop is not None
        save_resume(a.resume_dir, run, resume_state(step))
        with contextlib.suppress(OSError):  # stdout may be a closed pipe by now
            print(f"stopped by signal {stop.signal} at step {step} of {total}; saved to resume", flush=True)
        raise Interrupted(step)

    first = 0
    saved = load_resume(a.resume_dir, run) if a.resume_dir else None
    if saved is not None:
        with torch.no_grad():
            for n, p in named:
                p.copy_(saved["trainable"][n])
        opt.load_state_dict(saved["optimizer"])
        sched.load_state_dict(saved["scheduler"])
        stream.load_state_dict(saved["batches"])
        log = list(saved["log"])
        torch.set_rng_state(saved["rng"]["torch"])
        if device.type == "cuda" and saved["rng"]["cuda"]:
            torch.cuda.set_rng_state_all(saved["rng"]["cuda"])
        random.setstate(saved["rng"]["python"])
        first = int(saved["step"])
        print(f"resumed at step {first} of {total} from {a.resume_dir}", flush=True)
        progress.report(first, total, resumed=first)
    stop = StopRequest() if a.resume_dir else None
    model.train()
    started = time.perf_counter()
    tokens = 0
    try:
        for step in range(first, total):
            if stop is not None and stop.signal is not None:
                stopped(step)
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
            # Before printing: the process that reads our stdout (coin) may be gone already.
            if stop is not None and stop.signal is not None:
                stopped(step + 1)
            progress.report(step + 1, total, loss=loss_sum, lr=lr)
            if a.resume_dir is not None and (step + 1) % every == 0 and step + 1 < total:
                save_resume(a.resume_dir, run, resume_state(step + 1))
    finally:
        if stop is not None:
            stop.restore()
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
    if a.resume_dir is not None:
        drop_resume(a.resume_dir)  # done: a rerun starts over (coin drops the whole scratch on commit)
    return state | {"train_seconds": round(seconds, 3), "tokens_per_second": round(tokens / max(seconds, 1e-9), 1)}


def main(argv: list[str] | None = None) -> None:
    a = parse(argv)
    try:
        state = train(a)
    except (DataError, CheckpointError) as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    except Interrupted as e:
        with contextlib.suppress(OSError):
            print(f"{e}; rerun with the same --resume-dir to continue", file=sys.stderr)
        sys.exit(130)
    print(
        f"trained {state['global_step']} steps in {state['train_seconds']} s "
        f"({state['tokens_per_second']} tokens/s on {state['device']}) -> {a.out}"
    )


if __name__ == "__main__":
    main()
