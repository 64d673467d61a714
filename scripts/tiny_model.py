"""A tiny random-initialised model built from a config, with a tokenizer trained on the data: what
`--set model=tiny` trains on CPU (nothing is downloaded). Writes an ordinary HF model folder
(config, safetensors weights, tokenizer, and for LLaVA an image processor), so every other script
treats it like a real base model.

    python3 -m scripts.tiny_model --data <train.json>... --out DIR [--kind llava|llama] [--image-size 32]
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from pathlib import Path

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import (
    CLIPImageProcessorPil,
    CLIPVisionConfig,
    LlamaConfig,
    LlamaForCausalLM,
    LlavaConfig,
    LlavaForConditionalGeneration,
    LlavaProcessor,
    PreTrainedModel,
    PreTrainedTokenizerFast,
)

from .conversation import IMAGE_TOKEN, SYSTEM

SPECIAL_TOKENS = ["<pad>", "<s>", "</s>", "<unk>", IMAGE_TOKEN]
PATCH = 8


def train_tokenizer(texts: Iterable[str], vocab_size: int) -> PreTrainedTokenizerFast:
    """Byte-level BPE trained on `texts`: decoding gives back the exact characters (answers like
    `[0.12, 0.5, 0.33, 0.71]` survive a round trip, which a word-level vocabulary would break)."""
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        pad_token="<pad>",
        bos_token="<s>",
        eos_token="</s>",
        unk_token="<unk>",
        extra_special_tokens={"image_token": IMAGE_TOKEN},
    )


def record_texts(paths: Iterable[Path]) -> list[str]:
    texts = [SYSTEM, "USER: ASSISTANT:"]
    for path in paths:
        for record in json.loads(path.read_text()):
            for turn in record.get("conversations", []):
                texts.append(turn["value"])
            if "text" in record:
                texts.append(record["text"])
    return texts


def text_config(tokenizer: PreTrainedTokenizerFast, hidden: int, layers: int) -> LlamaConfig:
    return LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden,
        intermediate_size=hidden * 2,
        num_hidden_layers=layers,
        num_attention_heads=4,
        num_key_value_heads=4,
        max_position_embeddings=1024,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        tie_word_embeddings=False,
    )


def build(
    kind: str, tokenizer: PreTrainedTokenizerFast, hidden: int, layers: int, image_size: int, seed: int
) -> PreTrainedModel:
    torch.manual_seed(seed)
    tc = text_config(tokenizer, hidden, layers)
    if kind == "llama":
        return LlamaForCausalLM(tc)
    vc = CLIPVisionConfig(
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        image_size=image_size,
        patch_size=PATCH,
        projection_dim=32,
    )
    config = LlavaConfig(
        vision_config=vc,
        text_config=tc,
        image_token_index=int(tokenizer.convert_tokens_to_ids(IMAGE_TOKEN)),  # type: ignore[arg-type]
        vision_feature_layer=-2,
        vision_feature_select_strategy="default",
    )
    return LlavaForConditionalGeneration(config)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, nargs="+", required=True, help="CoIN train/test JSON files")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--kind", choices=["llava", "llama"], default="llava")
    ap.add_argument("--vocab-size", type=int, default=1024)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--image-size", type=int, default=32)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    tokenizer = train_tokenizer(record_texts(a.data), a.vocab_size)
    model = build(a.kind, tokenizer, a.hidden, a.layers, a.image_size, a.seed)
    a.out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(a.out)
    if a.kind == "llava":
        images = CLIPImageProcessorPil(
            size={"shortest_edge": a.image_size}, crop_size={"height": a.image_size, "width": a.image_size}
        )
        LlavaProcessor(
            image_processor=images,
            tokenizer=tokenizer,
            patch_size=PATCH,
            vision_feature_select_strategy="default",
            num_additional_image_tokens=1,
        ).save_pretrained(a.out)
    else:
        tokenizer.save_pretrained(a.out)
    n = sum(p.numel() for p in model.parameters())
    print(f"tiny {a.kind}: {n} parameters, vocabulary {len(tokenizer)} -> {a.out}")


if __name__ == "__main__":
    main()
