"""Text in, text (or vectors) out with a local HF model: the shared plumbing of the LLM tagger
(inscl_tags), the instruction embedder (inscl_embed) and TG-SFT's tree generator (tg_sft).

Prompts are a tokenizer's chat template when it has one (an instruction-tuned LM), else CoIN's
`llava_v1` conversation (conversation.py), the format CoIN's LLaVA models are trained on. Batches
are left-padded, so every row's continuation starts at the same position."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
from transformers import PreTrainedTokenizerBase

from .conversation import SYSTEM, training_segments


@dataclass(frozen=True)
class Sampling:
    """Greedy when `temperature` is 0; otherwise multinomial sampling from a seeded generator."""

    temperature: float = 0.0
    top_p: float = 1.0
    seed: int = 0


def dialogue_prompt(
    tok: PreTrainedTokenizerBase, history: Sequence[tuple[str, str]], user: str, system: str = SYSTEM
) -> str:
    """The text a model continues to answer `user` after `history` ((user, assistant) pairs)."""
    if getattr(tok, "chat_template", None):
        messages = [{"role": "system", "content": system}] if system else []
        for u, a in history:
            messages += [{"role": "user", "content": u}, {"role": "assistant", "content": a}]
        messages.append({"role": "user", "content": user})
        return str(tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True))
    eos = tok.eos_token or "</s>"
    head = "".join(s.text for s in training_segments(list(history), False, system=system, eos=eos))
    return f"{head}USER: {user} ASSISTANT:"


def _left_padded(tok: PreTrainedTokenizerBase, texts: Sequence[str]) -> dict[str, torch.Tensor]:
    bos = [tok.bos_token_id] if tok.bos_token_id is not None and not getattr(tok, "chat_template", None) else []
    rows = [bos + tok(t, add_special_tokens=False)["input_ids"] for t in texts]
    width = max(map(len, rows))
    pad = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
    ids = torch.full((len(rows), width), pad, dtype=torch.long)
    mask = torch.zeros_like(ids)
    for i, row in enumerate(rows):
        ids[i, width - len(row) :] = torch.tensor(row, dtype=torch.long)
        mask[i, width - len(row) :] = 1
    return {"input_ids": ids, "attention_mask": mask}


def generate(
    model: Any,
    tok: PreTrainedTokenizerBase,
    prompts: Sequence[str],
    max_new_tokens: int,
    sampling: Sampling = Sampling(),
    batch_size: int = 16,
) -> list[str]:
    """One continuation per prompt (special tokens dropped, whitespace stripped)."""
    device = next(model.parameters()).device
    out: list[str] = []
    for start in range(0, len(prompts), batch_size):
        batch = _left_padded(tok, prompts[start : start + batch_size])
        width = batch["input_ids"].shape[1]
        # Seeded per batch, so a row's sample depends on the seed and its batch, not on what ran before.
        torch.manual_seed(sampling.seed * 100_003 + start)
        options: dict[str, Any] = {"do_sample": False}
        if sampling.temperature > 0:
            options = {"do_sample": True, "temperature": sampling.temperature, "top_p": sampling.top_p, "top_k": 0}
        with torch.inference_mode(), torch.autocast("cuda", dtype=torch.bfloat16, enabled=device.type == "cuda"):
            ids = model.generate(
                **{k: v.to(device) for k, v in batch.items()},
                max_new_tokens=max_new_tokens,
                pad_token_id=tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id,
                eos_token_id=tok.eos_token_id,
                **options,
            )
        out += [t.strip() for t in tok.batch_decode(ids[:, width:], skip_special_tokens=True)]
    return out


def embed(model: Any, tok: PreTrainedTokenizerBase, texts: Sequence[str], batch_size: int = 16) -> torch.Tensor:
    """Mean-pooled last-layer hidden states over each text's tokens (padding excluded), float32 on CPU."""
    device = next(model.parameters()).device
    chunks: list[torch.Tensor] = []
    for start in range(0, len(texts), batch_size):
        batch = {k: v.to(device) for k, v in _left_padded(tok, texts[start : start + batch_size]).items()}
        with torch.inference_mode(), torch.autocast("cuda", dtype=torch.bfloat16, enabled=device.type == "cuda"):
            hidden = model(**batch, output_hidden_states=True).hidden_states[-1].float()
        mask = batch["attention_mask"].unsqueeze(-1).float()
        chunks.append(((hidden * mask).sum(1) / mask.sum(1).clamp(min=1)).cpu())
    return torch.cat(chunks) if chunks else torch.zeros((0, 0))
