"""TG-SFT's tree generation: the tree's shape is width × depth, semantic dedup drops near-duplicate
questions and their subtrees (a stub model with bag-of-words vectors), the mix ratio is exact, and
with a tiny model built from a config the run is deterministic per seed and its records are what
scripts.train reads as replay data."""

from __future__ import annotations

import itertools
import json
import zlib
from collections.abc import Sequence
from pathlib import Path

import torch

from scripts import tg_sft
from scripts.data import ImageSource, train_example
from scripts.tests.conftest import build_tiny
from scripts.tg_sft import Node, TreeParams, Turns


class Stub(tg_sft.Model):
    """Questions from a script (or numbered), answers echo the question, bag-of-words vectors."""

    def __init__(self, script: dict[tuple[int, int], str] | None = None) -> None:
        self.script = script or {}
        self.asked: list[tuple[int, Turns, str]] = []

    def ask(self, history: list[Turns], instruction: str, system: str, p: TreeParams, layer: int) -> list[str]:
        out = []
        for i, h in enumerate(history):
            self.asked.append((layer, h, instruction))
            out.append(self.script.get((layer, i), f"question {layer} {i} {' '.join(q for q, _ in h)}"))
        return out

    def answer(self, dialogues: list[Turns], system: str, p: TreeParams) -> list[str]:
        return [f"answer to {d[-1][0]}" for d in dialogues]

    def embed(self, texts: list[str]) -> torch.Tensor:
        rows = torch.zeros((len(texts), DIM))
        for r, t in enumerate(texts):
            for w in t.lower().replace("?", " ").split():
                rows[r, zlib.crc32(w.encode()) % DIM] += 1
        return rows


DIM = 4096
# The fixture's words land in distinct dimensions, so cosines are those of the bags of words.
assert len({zlib.crc32(w.encode()) % DIM for w in ["what", "is", "a", "cat", "dog", "how", "do", "planes", "fly"]}) == 9


def kept(nodes: Sequence[Node]) -> list[Node]:
    return [n for n in nodes if not n.dropped]


def test_tree_shape_is_width_per_layer_times_depth() -> None:
    stub = Stub()
    nodes = tg_sft.grow(stub, TreeParams(widths=(3, 2, 2), dedup=2.0))
    assert len(nodes) == len(kept(nodes)) == 3 + 3 * 2 + 3 * 2 * 2
    paths = {n.path for n in nodes}
    assert paths == {p for depth in (1, 2, 3) for p in itertools.product(*(range(w) for w in (3, 2, 2)[:depth]))}
    leaf = next(n for n in nodes if n.path == (2, 1, 0))
    assert [q for q, _ in leaf.turns()] == [n.question for n in nodes if n.path in ((2,), (2, 1), (2, 1, 0))]
    # Layer 1 asks for a first question with no history; deeper layers ask for a follow-up after the path.
    assert {i for layer, h, i in stub.asked if layer == 0} == {tg_sft.FIRST_QUESTION}
    assert all(len(h) == layer and i == tg_sft.FOLLOW_UP for layer, h, i in stub.asked if layer > 0)
    rec = tg_sft.record(leaf, 7)
    assert rec["id"] == "tg-sft-7-2.1.0" and "image" not in rec
    assert [t["from"] for t in rec["conversations"]] == ["human", "gpt"] * 3


def test_dedup_drops_near_duplicates_and_their_subtrees() -> None:
    script = {
        (0, 0): "What is a cat?",
        (0, 1): "what is a cat ?",  # the same bag of words: cosine 1
        (0, 2): "How do planes fly?",
        (0, 3): "What is a dog?",  # cosine 0.75 with the first: kept at 0.9
        (1, 0): "What is a cat?",  # a follow-up repeating a kept question
    }
    nodes = tg_sft.grow(Stub(script), TreeParams(widths=(4, 2), dedup=0.9))
    dropped = {n.path: n.dropped for n in nodes if n.dropped}
    assert dropped == {(1,): "duplicate of 0", (0, 0): "duplicate of 0"}
    assert {n.path for n in kept(nodes)} == {(0,), (2,), (3,), (0, 1), (2, 0), (2, 1), (3, 0), (3, 1)}
    # At a threshold below 0.75 the dog question goes too, with its subtree.
    nodes = tg_sft.grow(Stub(script), TreeParams(widths=(4, 2), dedup=0.7))
    assert not any(n.path[0] in (1, 3) for n in kept(nodes))
    # Empty questions never enter the tree.
    nodes = tg_sft.grow(Stub({(0, 0): "  "}), TreeParams(widths=(2,), dedup=2.0))
    assert [n.dropped for n in nodes] == ["empty", ""]


def test_mix_ratio_is_exact_and_seeded() -> None:
    records = [{"id": i} for i in range(21)]
    for task_records, ratio, want in ((40, 0.25, 10), (40, 0.0, 0), (7, 0.5, 4), (100, 0.2, 20), (100, 1.0, 21)):
        chosen = tg_sft.mix(records, task_records, ratio, seed=3)
        assert len(chosen) == min(want, len(records))
        assert len({r["id"] for r in chosen}) == len(chosen)
    assert tg_sft.mix(records, 40, 0.25, 3) == tg_sft.mix(records, 40, 0.25, 3)
    assert tg_sft.mix(records, 40, 0.25, 3) != tg_sft.mix(records, 40, 0.25, 4)


def test_tiny_model_tree_is_deterministic_and_trainable(coin_mini: Path, tmp_path: Path) -> None:
    task = coin_mini / "ImageNet" / "train.json"
    base = build_tiny("llama", [task], tmp_path / "base")

    def run(seed: int, out: Path) -> tuple[list[dict[str, object]], list[str]]:
        args = ["--widths", "3,2", "--dedup", "0.999", "--mix-ratio", "0.02", "--question-tokens", "6"]
        tg_sft.main(
            [
                "--model",
                str(base),
                "--data",
                str(task),
                *args,
                "--answer-tokens",
                "6",
                "--seed",
                str(seed),
                "--out",
                str(out),
            ]
        )
        tree = [json.loads(line) for line in (out / "tree.jsonl").read_text().splitlines()]
        return json.loads((out / "train.json").read_text()), [json.dumps(n) for n in tree]

    records, tree = run(0, tmp_path / "a")
    again, tree_again = run(0, tmp_path / "b")
    _, tree_other = run(1, tmp_path / "c")
    assert (records, tree) == (again, tree_again)
    assert tree != tree_other
    summary = json.loads((tmp_path / "a" / "tree.json").read_text())
    assert summary["generated"] == len(tree) <= 3 + 6
    assert len(records) == min(summary["kept"], round(0.02 * 400)) == summary["written"]
    # The records are CoIN train records scripts.train reads (as --replay): supervised answer tokens.
    tok = __import__("transformers").AutoTokenizer.from_pretrained(base)
    for i, r in enumerate(records):
        ex = train_example(r, tok, ImageSource(None), 0, 512, f"record {i}")
        assert any(label != -100 for label in ex.labels)
