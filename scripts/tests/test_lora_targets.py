"""LoRA targets equal CoIN's find_all_linear_names on a tiny LLaVA, and nothing else is wrapped."""

from __future__ import annotations

from pathlib import Path

from peft.tuners.lora import LoraLayer

from scripts.checkpoint import Method, attach, load_pretrained
from scripts.lora_targets import coin_leaf_names, find_all_linear_names
from scripts.moelora import MoELoraLinear


def test_targets_are_coins_rule_on_a_tiny_llava(tiny_llava: Path) -> None:
    model = load_pretrained(tiny_llava).model
    targets = find_all_linear_names(model)
    # CoIN's rule: every linear but lm_head, the projector and the vision tower (as leaf names).
    assert {t.split(".")[-1] for t in targets} == coin_leaf_names(model)
    assert coin_leaf_names(model) == {
        "q_proj",
        "k_proj",
        "v_proj",
        "o_proj",
        "gate_proj",
        "up_proj",
        "down_proj",
    }
    assert all("language_model" in t for t in targets)
    assert len(targets) == 7 * model.config.text_config.num_hidden_layers


def test_attach_wraps_exactly_the_targets(tiny_llava: Path) -> None:
    for kind, layer_type in (("lora", LoraLayer), ("moelora", MoELoraLinear)):
        model = load_pretrained(tiny_llava).model
        targets = find_all_linear_names(model)
        peft_model = attach(model, Method(kind, r=4, alpha=8, experts=2))
        wrapped = sorted(
            n.removeprefix("base_model.model.") for n, m in peft_model.named_modules() if isinstance(m, layer_type)
        )
        assert wrapped == targets, kind
        trainable = {n for n, p in peft_model.named_parameters() if p.requires_grad}
        full = {n for n in trainable if "lora_" not in n}
        # The projector trains in full next to the adapter (CoIN's non_lora_trainables); the vision
        # tower and the language model's own weights stay frozen.
        assert full and all("multi_modal_projector" in n for n in full), sorted(full)
        assert not any("vision_tower" in n for n in trainable)
