"""Models and stage checkpoints.

A base model is any HF folder: a causal LM (`AutoModelForCausalLM` + tokenizer) or a LLaVA-style
model (`LlavaForConditionalGeneration` + processor). A stage checkpoint is a folder:

- full fine-tuning: the whole model (HF `save_pretrained`, safetensors) + tokenizer/processor;
- LoRA / MoELoRA: `adapter_model.safetensors` + `adapter_config.json` (peft's format), and
  `non_lora_trainables.safetensors` (CoIN's name: the parameters trained in full next to the
  adapter, i.e. the projector), never merged into the base weights;
- always `coin_stage.json` (method, ranks, targets) and `trainer_state.json` (the step log).

Stage k loads the base model, then stage k−1's adapter and projector, and trains on (CoIN's
`load_model_from_previous_task`)."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
from peft import LoraConfig, PeftModel, get_peft_model, get_peft_model_state_dict, set_peft_model_state_dict
from safetensors.torch import load_file, save_file
from torch import nn
from transformers import (
    AutoConfig,
    AutoModelForCausalLM,
    AutoProcessor,
    AutoTokenizer,
    LlavaForConditionalGeneration,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)

from .lora_targets import find_all_linear_names, is_projector
from .moelora import MoELoraConfig

STAGE_FILE = "coin_stage.json"
ADAPTER_FILE = "adapter_model.safetensors"
NON_LORA_FILE = "non_lora_trainables.safetensors"
VISION_KEYWORDS = ("vision_tower", "vision_model")


class CheckpointError(ValueError):
    """A checkpoint that does not fit the requested method or model."""


@dataclass(frozen=True)
class Method:
    kind: str  # full | lora | moelora
    r: int = 8
    alpha: int = 16
    dropout: float = 0.05
    experts: int = 4

    def adapter(self) -> bool:
        return self.kind in ("lora", "moelora")


@dataclass
class Loaded:
    model: nn.Module
    tokenizer: PreTrainedTokenizerBase
    processor: Any  # LlavaProcessor or None for text-only models


def is_llava(path: Path) -> bool:
    return bool(AutoConfig.from_pretrained(path).model_type == "llava")


def load_pretrained(path: Path, dtype: torch.dtype = torch.float32) -> Loaded:
    """A base model folder, or a full fine-tuning checkpoint (same layout)."""
    if not (path / "config.json").exists():
        raise CheckpointError(f"{path}: not a model folder (no config.json)")
    if is_llava(path):
        model: PreTrainedModel = LlavaForConditionalGeneration.from_pretrained(path, dtype=dtype)
        processor = AutoProcessor.from_pretrained(path)
        return Loaded(model, processor.tokenizer, processor)
    model = AutoModelForCausalLM.from_pretrained(path, dtype=dtype)
    return Loaded(model, AutoTokenizer.from_pretrained(path), None)


def read_stage(path: Path) -> dict[str, Any]:
    file = path / STAGE_FILE
    if not file.exists():
        raise CheckpointError(f"{path}: not a stage checkpoint (no {STAGE_FILE})")
    stage: dict[str, Any] = json.loads(file.read_text())
    return stage


def freeze_vision_tower(model: nn.Module) -> None:
    for name, p in model.named_parameters():
        if any(k in name for k in VISION_KEYWORDS):
            p.requires_grad_(False)


def attach(model: nn.Module, method: Method) -> nn.Module:
    """Wraps the model for `method`. Full: everything but the vision tower trains. LoRA/MoELoRA:
    adapters on CoIN's targets, the projector trains in full (non_lora_trainables)."""
    if not method.adapter():
        freeze_vision_tower(model)
        return model
    shared: dict[str, Any] = {
        "r": method.r,
        "lora_alpha": method.alpha,
        "lora_dropout": method.dropout,
        "bias": "none",
        "target_modules": find_all_linear_names(model),
    }
    config = MoELoraConfig(experts=method.experts, **shared) if method.kind == "moelora" else LoraConfig(**shared)
    peft_model = get_peft_model(model, config)
    for name, p in peft_model.named_parameters():
        if is_projector(name) and "lora_" not in name:
            p.requires_grad_(True)
    return peft_model


def load_stage_weights(model: nn.Module, method: Method, prev: Path) -> None:
    """Stage k−1's adapter and projector into an attached model (no merge)."""
    stage = read_stage(prev)
    same = ("kind", "r", "alpha", "experts")
    if any(stage["method"].get(k) != getattr(method, k) for k in same):
        raise CheckpointError(
            f"{prev}: previous stage was trained with {stage['method']}, "
            f"this stage asks for {asdict(method)}; "
            "a sequence keeps one method, rank and expert count"
        )
    adapter = load_file(prev / ADAPTER_FILE)
    result: Any = set_peft_model_state_dict(model, adapter)
    if result.unexpected_keys:
        raise CheckpointError(f"{prev}: adapter weights that fit no layer: {result.unexpected_keys[:3]}")
    non_lora = load_file(prev / NON_LORA_FILE) if (prev / NON_LORA_FILE).exists() else {}
    missing = set(non_lora) - {n for n, _ in model.named_parameters()}
    if missing:
        raise CheckpointError(f"{prev}: projector weights that fit no parameter: {sorted(missing)[:3]}")
    model.load_state_dict(non_lora, strict=False)


def load_for_stage(base: Path, method: Method, prev: Path | None, dtype: torch.dtype = torch.float32) -> Loaded:
    """The model a stage trains (or a checkpoint predicts with): base (or the previous full
    checkpoint) + the method's wrapping + the previous stage's adapter."""
    full_prev = prev is not None and not method.adapter()
    if full_prev and prev is not None and read_stage(prev)["method"]["kind"] != "full":
        raise CheckpointError(f"{prev}: an adapter checkpoint cannot continue as full fine-tuning")
    loaded = load_pretrained(prev if full_prev and prev is not None else base, dtype)
    loaded.model = attach(loaded.model, method)
    if prev is not None and method.adapter():
        load_stage_weights(loaded.model, method, prev)
    return loaded


def non_lora_trainables(model: nn.Module) -> dict[str, torch.Tensor]:
    """CoIN's get_peft_state_non_lora: trainable parameters that are not adapter weights."""
    return {
        n: p.detach().cpu().contiguous() for n, p in model.named_parameters() if p.requires_grad and "lora_" not in n
    }


def save_stage(loaded: Loaded, method: Method, out: Path, trainer_state: dict[str, Any]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    model = loaded.model
    if method.adapter():
        assert isinstance(model, PeftModel)
        state = {k: v.detach().cpu().contiguous() for k, v in get_peft_model_state_dict(model).items()}
        save_file(state, out / ADAPTER_FILE)
        config = model.peft_config["default"]
        (out / "adapter_config.json").write_text(
            json.dumps(
                {
                    k: (sorted(v) if isinstance(v, set) else v)
                    for k, v in config.to_dict().items()
                    if not k.startswith("_")
                },
                indent=1,
                sort_keys=True,
                default=str,
            )
            + "\n"
        )
        save_file(non_lora_trainables(model), out / NON_LORA_FILE)
    else:
        assert isinstance(model, PreTrainedModel)
        model.save_pretrained(out)
        (loaded.processor or loaded.tokenizer).save_pretrained(out)
    targets = (
        sorted(getattr(model.peft_config["default"], "target_modules", [])) if isinstance(model, PeftModel) else []
    )
    (out / STAGE_FILE).write_text(json.dumps({"method": asdict(method), "targets": targets}, indent=1) + "\n")
    (out / "trainer_state.json").write_text(json.dumps(trainer_state, indent=1) + "\n")


# Resume checkpoints: what a stage needs to continue after an interruption (coin's ctx.scratch, via
# train.py --resume-dir). Not a stage checkpoint: the trainable tensors, the optimizer, scheduler
# and batch-order state, the step log, and every RNG state, in one torch.save file written to a
# temp name and renamed (a kill mid-write leaves the previous one). `run` identifies the run (its
# arguments); a file of another run is ignored.
RESUME_FILE = "resume.pt"


def save_resume(directory: Path, run: str, state: dict[str, Any]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / f"{RESUME_FILE}.{os.getpid()}.tmp"
    torch.save({"run": run, **state}, tmp)
    os.replace(tmp, directory / RESUME_FILE)


def load_resume(directory: Path, run: str) -> dict[str, Any] | None:
    """The saved state of run `run`, or None (none, another run's, or unreadable: start over)."""
    path = directory / RESUME_FILE
    if not path.exists():
        return None
    try:
        state: dict[str, Any] = torch.load(path, map_location="cpu", weights_only=True)
    except Exception:  # a torn or foreign file is not trusted
        return None
    return state if state.get("run") == run else None


def drop_resume(directory: Path) -> None:
    (directory / RESUME_FILE).unlink(missing_ok=True)
