"""Instruction embeddings for InsCL from a tiny model built from a config: mean-pooled last hidden
states (padding excluded, so a text's vector does not depend on its batch), one row per distinct
instruction, in the file format coin's InsCL rule reads."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from scripts import inscl_embed, lm_text
from scripts.checkpoint import load_pretrained
from scripts.inscl_units import distinct_units
from scripts.tests.conftest import build_tiny


def test_embeddings_are_mean_pooled_hidden_states(coin_mini: Path, tmp_path: Path) -> None:
    data = [coin_mini / "ImageNet" / "train.json", coin_mini / "ScienceQA" / "train.json"]
    base = build_tiny("llama", data, tmp_path / "base")
    out = tmp_path / "emb"
    inscl_embed.main(["--model", str(base), *(x for d in data for x in ("--data", str(d))), "--out", str(out)])
    instructions, vectors = inscl_embed.read_embeddings(out)
    assert instructions == distinct_units(data, "prompt")
    assert vectors.shape == (len(instructions), 64) and vectors.dtype == np.float32

    loaded = load_pretrained(base)
    model, tok = loaded.model.eval(), loaded.tokenizer
    short, long = instructions[0], max(instructions, key=len)
    ids = torch.tensor([[tok.bos_token_id, *tok(short, add_special_tokens=False)["input_ids"]]])
    with torch.inference_mode():
        by_hand = model(input_ids=ids, output_hidden_states=True).hidden_states[-1][0].mean(0)
    assert torch.allclose(torch.from_numpy(vectors[0].copy()), by_hand, atol=1e-5)
    # Alone or left-padded next to a longer text: the same vector.
    batched = lm_text.embed(model, tok, [short, long])
    assert torch.allclose(batched[0], by_hand, atol=1e-4)
