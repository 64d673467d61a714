"""Which linear layers get adapters: CoIN's `find_all_linear_names` (ETrain/Models/LLaVA/utils.py):
every nn.Linear except lm_head, the projector and the vision tower.

CoIN returns leaf names (`q_proj`), which peft matches as suffixes; that is safe in CoIN only
because LLaVA attaches its vision tower after `get_peft_model`. A HF LLaVA already holds its CLIP
tower (whose attention layers are also called `q_proj`...), so here the same rule returns full
module paths, which peft matches exactly."""

from __future__ import annotations

from torch import nn

# CoIN's keywords plus the HF LLaVA names of the same modules.
MULTIMODAL_KEYWORDS = ("mm_projector", "vision_tower", "vision_resampler", "multi_modal_projector")
PROJECTOR_KEYWORDS = ("mm_projector", "multi_modal_projector")


def find_all_linear_names(model: nn.Module) -> list[str]:
    """Full paths of the adapter targets, sorted."""
    names = []
    for name, module in model.named_modules():
        if any(k in name for k in MULTIMODAL_KEYWORDS):
            continue
        if isinstance(module, nn.Linear) and name.split(".")[-1] != "lm_head":
            names.append(name)
    return sorted(names)


def coin_leaf_names(model: nn.Module) -> set[str]:
    """CoIN's own return value (leaf names), for comparison."""
    leaves = set()
    for name, module in model.named_modules():
        if any(k in name for k in MULTIMODAL_KEYWORDS):
            continue
        if isinstance(module, nn.Linear):
            parts = name.split(".")
            leaves.add(parts[0] if len(parts) == 1 else parts[-1])
    leaves.discard("lm_head")
    return leaves


def is_projector(name: str) -> bool:
    return any(k in name for k in PROJECTOR_KEYWORDS)
