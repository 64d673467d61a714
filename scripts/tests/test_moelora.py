"""MoELoRA's forward equals CoIN's formula computed by hand on small tensors."""

from __future__ import annotations

import pytest
import torch
from peft import get_peft_model
from torch import nn

from scripts.moelora import MoELoraConfig, MoELoraLinear


class Two(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.proj = nn.Linear(6, 5)
        self.head = nn.Linear(5, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.proj(x))


def wrapped(r: int = 4, alpha: int = 8, experts: int = 2) -> tuple[nn.Module, MoELoraLinear, Two]:
    base = Two()
    reference = Two()
    reference.load_state_dict(base.state_dict())
    model = get_peft_model(
        base, MoELoraConfig(r=r, lora_alpha=alpha, lora_dropout=0.0, experts=experts, target_modules=["proj"])
    )
    layer = model.base_model.model.proj
    assert isinstance(layer, MoELoraLinear)
    return model, layer, reference


def test_forward_matches_coin_formula_by_hand() -> None:
    model, layer, reference = wrapped()
    for p in layer.lora_B["default"].parameters():  # B starts at 0: give it values so the sum matters
        nn.init.normal_(p, std=0.5)
    x = torch.randn(2, 3, 6)  # (batch, tokens, features), as in CoIN's router[:, :, i]
    w, b = reference.proj.weight, reference.proj.bias
    gate = torch.softmax(x @ layer.lora_router["default"].weight.T, dim=-1)
    scale = 8 / 4  # alpha / r, r the total rank
    expected = x @ w.T + b
    for i in range(2):
        a_i = layer.lora_A["default"][i].weight
        b_i = layer.lora_B["default"][i].weight
        assert a_i.shape == (2, 6) and b_i.shape == (5, 2)  # rank r/E = 2 per expert
        expected = expected + (x @ a_i.T @ b_i.T) * scale * gate[..., i : i + 1]
    torch.testing.assert_close(layer(x), expected)
    torch.testing.assert_close(model(x), reference.head(expected))


def test_fresh_adapter_is_identity_and_router_is_bias_free() -> None:
    model, layer, reference = wrapped()
    x = torch.randn(4, 6)
    torch.testing.assert_close(model(x), reference(x))
    assert layer.lora_router["default"].bias is None
    assert all(p.std() > 0 for p in layer.lora_A["default"].parameters())


def test_only_adapter_and_router_train() -> None:
    model, _, _ = wrapped()
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert trainable and all("lora_" in n for n in trainable)
    assert any("lora_router" in n for n in trainable)


def test_rank_must_divide_by_experts() -> None:
    with pytest.raises(ValueError, match="divisible"):
        MoELoraConfig(r=6, experts=4, target_modules=["proj"])


def test_merge_is_refused() -> None:
    _, layer, _ = wrapped()
    with pytest.raises(NotImplementedError):
        layer.merge()
