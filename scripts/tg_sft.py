"""TG-SFT's tree generation: the model writes its own rehearsal dialogues, mixed into a stage's
training data (arXiv 2406.11354, "self-decompression"; its code is not public, so prompts and
defaults here are ours and every knob is a parameter).

    python3 -m scripts.tg_sft --model BASE [--checkpoint STAGE] --data task/train.json \
        --widths 4,2 --dedup 0.9 --mix-ratio 0.25 --seed 0 --out DIR

The tree: under a base system prompt, layer 1 asks the model for `widths[0]` user questions and
answers each; every node of layer l is expanded into `widths[l]` follow-up questions (the dialogue
so far is the history) with their answers, for `len(widths)` layers. Questions are sampled
(temperature, top-p, seeded), answers greedy. Semantic dedup: a new question whose cosine
similarity to any question kept so far is at least `dedup` is dropped with its subtree; vectors
are the model's last hidden states, mean-pooled. Each kept node's root→node path is one multi-turn
record in CoIN's LLaVA conversation format (no image). The mix: round(mix_ratio × the stage's
task records) of them, a seeded sample, go to OUT/train.json, which scripts.train takes as
`--replay`. OUT/tree.jsonl lists every node, dropped ones too; OUT/tree.json the counts."""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from . import progress
from .conversation import SYSTEM

FIRST_QUESTION = "Write one question that a user might ask you. Reply with the question only."
FOLLOW_UP = "Write one follow-up question the user might ask next in this conversation. Reply with the question only."

Turns = Sequence[tuple[str, str]]


@dataclass(frozen=True)
class TreeParams:
    widths: tuple[int, ...]
    """Children per node at each layer; the depth is its length."""
    dedup: float = 0.9
    """Cosine similarity at or above which a new question is dropped (above 1: no dedup)."""
    system: str = SYSTEM
    question_tokens: int = 48
    answer_tokens: int = 96
    temperature: float = 1.0
    top_p: float = 0.95
    seed: int = 0


@dataclass
class Node:
    path: tuple[int, ...]
    """Child indices from the root: (2,) is layer 1's third question, (2, 0) its first follow-up."""
    question: str
    answer: str = ""
    dropped: str = ""
    """Why it is not in the tree: `empty` or `duplicate of <path>`; empty when kept."""
    parent: Node | None = field(default=None, repr=False)

    def turns(self) -> list[tuple[str, str]]:
        """The dialogue from the root to this node."""
        chain: list[Node] = []
        node: Node | None = self
        while node is not None:
            chain.append(node)
            node = node.parent
        return [(n.question, n.answer) for n in reversed(chain)]


class Model:
    """What the tree needs from an LLM: sampled questions, greedy answers, text vectors."""

    def ask(self, history: list[Turns], instruction: str, system: str, p: TreeParams, layer: int) -> list[str]:
        raise NotImplementedError

    def answer(self, dialogues: list[Turns], system: str, p: TreeParams) -> list[str]:
        raise NotImplementedError

    def embed(self, texts: list[str]) -> torch.Tensor:
        raise NotImplementedError


class HFModel(Model):
    """A local HF model (base, or base + a stage's adapter) through lm_text."""

    def __init__(self, model: Any, tokenizer: Any, batch_size: int = 16) -> None:
        self.model, self.tok, self.batch_size = model, tokenizer, batch_size

    def ask(self, history: list[Turns], instruction: str, system: str, p: TreeParams, layer: int) -> list[str]:
        from .lm_text import Sampling, dialogue_prompt, generate

        prompts = [dialogue_prompt(self.tok, h, instruction, system) for h in history]
        sampling = Sampling(p.temperature, p.top_p, seed=p.seed * 1000 + layer)
        return generate(self.model, self.tok, prompts, p.question_tokens, sampling, self.batch_size)

    def answer(self, dialogues: list[Turns], system: str, p: TreeParams) -> list[str]:
        from .lm_text import dialogue_prompt, generate

        prompts = [dialogue_prompt(self.tok, d[:-1], d[-1][0], system) for d in dialogues]
        return generate(self.model, self.tok, prompts, p.answer_tokens, batch_size=self.batch_size)

    def embed(self, texts: list[str]) -> torch.Tensor:
        from .lm_text import embed

        return embed(self.model, self.tok, texts, self.batch_size)


def dedup(
    candidates: list[Node], vectors: torch.Tensor, kept: list[Node], kept_vectors: torch.Tensor, t: float
) -> torch.Tensor:
    """Marks candidates that are empty or too similar to a kept question (earlier candidates of
    the same layer included) as dropped, appends the survivors to `kept` and returns the unit
    vectors of all kept questions (`kept_vectors` extended)."""
    unit = torch.nn.functional.normalize(vectors.float(), dim=-1)
    rows = [kept_vectors] if kept_vectors.numel() else []
    for node, v in zip(candidates, unit, strict=True):
        if not node.question.strip():
            node.dropped = "empty"
            continue
        if rows:
            sims = torch.cat(rows) @ v
            best = int(sims.argmax())
            if float(sims[best]) >= t:
                node.dropped = "duplicate of " + ".".join(map(str, kept[best].path))
                continue
        rows.append(v.unsqueeze(0))
        kept.append(node)
    return torch.cat(rows) if rows else kept_vectors


def grow(model: Model, p: TreeParams, on_layer: Callable[[int, int], None] = lambda _l, _n: None) -> list[Node]:
    """Every node generated, layer by layer (kept and dropped); kept nodes have `dropped == ''`."""
    nodes: list[Node] = []
    kept: list[Node] = []
    kept_vectors = torch.zeros((0, 0))
    frontier: list[Node | None] = [None]
    for layer, width in enumerate(p.widths):
        parents = [n for n in frontier for _ in range(width)]
        history: list[Turns] = [n.turns() if n else [] for n in parents]
        instruction = FOLLOW_UP if layer else FIRST_QUESTION
        questions = model.ask(history, instruction, p.system, p, layer)
        layer_nodes = [
            Node((*(parent.path if parent else ()), i % width), q, parent=parent)
            for i, (parent, q) in enumerate(zip(parents, questions, strict=True))
        ]
        before = len(kept)
        kept_vectors = dedup(layer_nodes, model.embed([n.question for n in layer_nodes]), kept, kept_vectors, p.dedup)
        survivors = kept[before:]
        if survivors:
            answers = model.answer([n.turns() for n in survivors], p.system, p)
            for n, a in zip(survivors, answers, strict=True):
                n.answer = a
        nodes += layer_nodes
        on_layer(layer + 1, len(survivors))
        frontier = list(survivors)
    return nodes


def record(node: Node, seed: int) -> dict[str, Any]:
    """A kept node as a CoIN train record: the root→node dialogue, text only."""
    conversations = []
    for q, a in node.turns():
        conversations += [{"from": "human", "value": q}, {"from": "gpt", "value": a}]
    return {"id": f"tg-sft-{seed}-" + ".".join(map(str, node.path)), "conversations": conversations}


def mix(records: list[dict[str, Any]], task_records: int, ratio: float, seed: int) -> list[dict[str, Any]]:
    """round(ratio × task_records) generated records, a seeded sample (all of them if fewer)."""
    want = round(ratio * task_records)
    if want >= len(records):
        return list(records)
    return random.Random(seed).sample(records, want)


def parse_widths(a: argparse.Namespace) -> tuple[int, ...]:
    widths = tuple(int(w) for w in a.widths.split(",")) if a.widths else (a.width,) * a.depth
    if not widths or any(w < 1 for w in widths):
        raise ValueError(f"widths {widths}: give at least one layer, each at least 1 wide")
    return widths


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, required=True, help="base model (HF folder)")
    ap.add_argument("--checkpoint", type=Path, help="a stage checkpoint on top of it (the model being protected)")
    ap.add_argument("--data", type=Path, action="append", default=[], help="the stage's train.json (sizes the mix)")
    ap.add_argument("--widths", default="", help="children per node per layer, e.g. 4,2 (overrides --width/--depth)")
    ap.add_argument("--width", type=int, default=4)
    ap.add_argument("--depth", type=int, default=2)
    ap.add_argument("--dedup", type=float, default=0.9, help="cosine threshold; above 1 disables dedup")
    ap.add_argument("--mix-ratio", type=float, default=0.25, help="generated records per task record")
    ap.add_argument("--system", default=SYSTEM, help="the base system prompt")
    ap.add_argument("--question-tokens", type=int, default=48)
    ap.add_argument("--answer-tokens", type=int, default=96)
    ap.add_argument("--temperature", type=float, default=1.0)
    ap.add_argument("--top-p", type=float, default=0.95)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args(argv)
    try:
        widths = parse_widths(a)
        task_records = sum(len(json.loads(d.read_text())) for d in a.data)
    except (ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    p = TreeParams(widths, a.dedup, a.system, a.question_tokens, a.answer_tokens, a.temperature, a.top_p, a.seed)

    from .checkpoint import CheckpointError, Method, load_for_stage, read_stage
    from .device import pick_device, seed_everything

    device = pick_device(a.device)
    seed_everything(a.seed, device)
    try:
        method = Method(**read_stage(a.checkpoint)["method"]) if a.checkpoint else Method("full")
        loaded = load_for_stage(a.model, method, a.checkpoint)
    except CheckpointError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    model = HFModel(loaded.model.to(device).eval(), loaded.tokenizer, a.batch_size)
    nodes = grow(model, p, lambda layer, n: progress.report(layer, len(widths), message=f"layer {layer}: {n} kept"))
    kept = [record(n, a.seed) for n in nodes if not n.dropped]
    chosen = mix(kept, task_records, a.mix_ratio, a.seed)
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "train.json").write_text(json.dumps(chosen, indent=1, ensure_ascii=False) + "\n")
    with (a.out / "tree.jsonl").open("w") as f:
        for n in nodes:
            row = {"path": list(n.path), "question": n.question, "answer": n.answer, "dropped": n.dropped}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    summary = {
        "widths": list(widths),
        "dedup": a.dedup,
        "mix_ratio": a.mix_ratio,
        "task_records": task_records,
        "generated": len(nodes),
        "kept": len(kept),
        "written": len(chosen),
        "wanted": round(a.mix_ratio * task_records),
    }
    (a.out / "tree.json").write_text(json.dumps(summary, indent=1) + "\n")
    short = " (fewer than wanted: grow a wider or deeper tree)" if len(chosen) < summary["wanted"] else ""
    print(f"TG-SFT: {len(nodes)} nodes, {len(kept)} kept, {len(chosen)} mixed in{short} -> {a.out / 'train.json'}")


if __name__ == "__main__":
    main()
