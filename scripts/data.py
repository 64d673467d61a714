"""CoIN data → model inputs. Train records are LLaVA conversations (`{"id", "image"?,
"conversations": [{"from": "human"|"gpt", "value"}...]}`, multi-turn allowed); test records are
`{"question_id", "image"?, "text", "answer"}`. Images are read from an image folder; a record that
names a CoIN-mini scene (`x.json`) is read as its rendered `x.png`, or, with `scene_text`, as a
text description put in front of the question (text-only models)."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from PIL import Image
from transformers import PreTrainedTokenizerBase

from .conversation import IGNORE_INDEX, IMAGE_TOKEN, generation_prompt, training_segments
from .scene_text import describe


class DataError(ValueError):
    """A data file that cannot be used, with the file and record it is about."""


@dataclass
class Example:
    input_ids: list[int]
    labels: list[int]
    image: Path | None


def load_records(path: Path) -> list[dict[str, Any]]:
    try:
        records = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise DataError(f"{path}: cannot read a JSON list of records ({e})") from e
    if not isinstance(records, list):
        raise DataError(f"{path}: expected a JSON list of records, got {type(records).__name__}")
    return records


def mix(tasks: list[Path], replay: list[Path], seed: int) -> list[dict[str, Any]]:
    """The stage's records: every task file (several = multitask) plus replay records, shuffled."""
    records = [r for p in tasks + replay for r in load_records(p)]
    random.Random(seed).shuffle(records)
    return records


@dataclass
class ImageSource:
    folder: Path | None
    scene_text: bool = False

    def resolve(self, record: dict[str, Any], where: str) -> tuple[Path | None, str]:
        """(image file for the vision tower, text to put before the question)."""
        name = record.get("image")
        if not name:
            return None, ""
        if self.folder is None:
            raise DataError(f"{where}: record names image {name!r} but no --image-folder was given")
        path = self.folder / name
        if self.scene_text:
            if path.suffix != ".json":
                raise DataError(f"{where}: --scene-text needs CoIN-mini scene files, got {name!r}")
            return None, describe(json.loads(path.read_text())) + "\n"
        if path.suffix == ".json":
            path = path.with_suffix(".png")
        if not path.exists():
            raise DataError(
                f"{where}: image {path} does not exist (render CoIN-mini scenes with "
                "scripts.render_scenes, or fix --image-folder)"
            )
        return path, ""


def image_token_count(model_config: Any) -> int:
    """How many positions one `<image>` expands to: the vision tower's patches (CLS dropped)."""
    vision = model_config.vision_config
    return int((vision.image_size // vision.patch_size) ** 2)


def _ids(tokenizer: PreTrainedTokenizerBase, text: str, image_tokens: int) -> list[int]:
    ids: list[int] = tokenizer(text, add_special_tokens=False)["input_ids"]
    image_id = tokenizer.convert_tokens_to_ids(IMAGE_TOKEN)
    out: list[int] = []
    for i in ids:
        out.extend([i] * image_tokens if i == image_id else [i])
    return out


def train_example(
    record: dict[str, Any],
    tokenizer: PreTrainedTokenizerBase,
    images: ImageSource,
    image_tokens: int,
    max_len: int,
    where: str,
) -> Example:
    turns = record.get("conversations")
    if not isinstance(turns, list) or len(turns) < 2:
        raise DataError(f"{where}: a train record needs 'conversations' with a human and a gpt turn")
    pairs = []
    for i in range(0, len(turns) - 1, 2):
        human, gpt = turns[i], turns[i + 1]
        if human.get("from") != "human" or gpt.get("from") != "gpt":
            raise DataError(f"{where}: turn {i} should be human then gpt, got {human.get('from')}/{gpt.get('from')}")
        pairs.append((human["value"], gpt["value"]))
    image, prefix = images.resolve(record, where)
    if prefix:
        pairs[0] = (prefix + pairs[0][0].replace(IMAGE_TOKEN, "").strip(), pairs[0][1])
    input_ids = [tokenizer.bos_token_id] if tokenizer.bos_token_id is not None else []
    labels = [IGNORE_INDEX] * len(input_ids)
    for seg in training_segments(pairs, image is not None, eos=tokenizer.eos_token):
        ids = _ids(tokenizer, seg.text, image_tokens)
        input_ids += ids
        labels += ids if seg.supervised else [IGNORE_INDEX] * len(ids)
    if len(input_ids) > max_len:
        if image is not None:
            raise DataError(f"{where}: {len(input_ids)} tokens exceed --max-len {max_len} (an image cannot be cut)")
        input_ids, labels = input_ids[:max_len], labels[:max_len]
    return Example(input_ids, labels, image)


def test_prompt(record: dict[str, Any], images: ImageSource, where: str) -> tuple[str, Path | None]:
    if "text" not in record or "question_id" not in record:
        raise DataError(f"{where}: a test record needs 'question_id' and 'text'")
    image, prefix = images.resolve(record, where)
    return generation_prompt(prefix + record["text"], image is not None), image


def pixel_values(processor: Any, paths: list[Path]) -> torch.Tensor | None:
    if not paths or processor is None:
        return None
    pics = [Image.open(p).convert("RGB") for p in paths]
    values: torch.Tensor = processor.image_processor(pics, return_tensors="pt")["pixel_values"]
    return values


def collate(batch: list[Example], pad_id: int, processor: Any) -> dict[str, torch.Tensor]:
    """Right-padded tensors for training; pixel values only for the records that have an image."""
    width = max(len(e.input_ids) for e in batch)
    ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    labels = torch.full((len(batch), width), IGNORE_INDEX, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for i, e in enumerate(batch):
        n = len(e.input_ids)
        ids[i, :n] = torch.tensor(e.input_ids)
        labels[i, :n] = torch.tensor(e.labels)
        mask[i, :n] = 1
    out = {"input_ids": ids, "labels": labels, "attention_mask": mask}
    pixels = pixel_values(processor, [e.image for e in batch if e.image is not None])
    if pixels is not None:
        out["pixel_values"] = pixels
    return out
