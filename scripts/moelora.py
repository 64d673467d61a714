"""MoELoRA as CoIN defines it (CoIN/peft/tuners/coinmoelora.py), as a custom LoRA layer on top of
peft (registered with `LoraConfig._register_custom_module`), not a fork of peft.

For a frozen linear W x + b, with E experts each of rank r/E (A_i: d_in→r/E, B_i: r/E→d_out), a
bias-free router G: d_in→E with a dense softmax, and scale s = alpha / r (r = the total rank):

    y = W x + b + Σ_i  softmax(G x)_i · s · B_i(A_i(dropout(x)))

Initialisation as CoIN: A_i ~ N(0, 0.01²), B_i = 0 (so a fresh adapter is the identity), G as
nn.Linear's default. The router reads x before dropout; each expert gets its own dropout draw.
Merging is not defined for a token-dependent mixture, so `merge` raises."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch
from peft import LoraConfig
from peft.tuners.lora import LoraLayer
from torch import nn


@dataclass
class MoELoraConfig(LoraConfig):
    """peft's LoraConfig plus the number of experts (the rank r must be divisible by it)."""

    experts: int = field(default=4, metadata={"help": "Number of LoRA experts, each of rank r / experts."})

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.r % self.experts != 0:
            raise ValueError(f"MoELoRA: rank r={self.r} must be divisible by experts={self.experts}")
        self._register_custom_module({nn.Linear: MoELoraLinear})


class MoELoraLinear(nn.Module, LoraLayer):  # type: ignore[misc]
    adapter_layer_names = ("lora_A", "lora_B", "lora_router")

    def __init__(
        self,
        base_layer: nn.Module,
        adapter_name: str,
        config: MoELoraConfig,
        r: int = 0,
        lora_alpha: int = 1,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        LoraLayer.__init__(self, base_layer)
        self.lora_router = nn.ModuleDict({})
        self.experts = config.experts
        self._active_adapter = adapter_name
        self.update_layer(adapter_name, r, lora_alpha, config)

    def update_layer(
        self,
        adapter_name: str,
        r: int,
        lora_alpha: int,
        config: LoraConfig,  # type: ignore[override]
        **kwargs: Any,
    ) -> None:
        experts = self.experts
        self.r[adapter_name] = r
        self.lora_alpha[adapter_name] = lora_alpha
        self.scaling[adapter_name] = lora_alpha / r
        p = config.lora_dropout
        self.lora_dropout[adapter_name] = nn.Dropout(p) if p > 0 else nn.Identity()
        rank = r // experts
        d_in, d_out = int(self.in_features), int(self.out_features)  # type: ignore[arg-type]
        a_list = [nn.Linear(d_in, rank, bias=False) for _ in range(experts)]
        b_list = [nn.Linear(rank, d_out, bias=False) for _ in range(experts)]
        for a, b in zip(a_list, b_list, strict=True):
            nn.init.normal_(a.weight, mean=0.0, std=0.01)
            nn.init.zeros_(b.weight)
        self.lora_A[adapter_name] = nn.ModuleList(a_list)
        self.lora_B[adapter_name] = nn.ModuleList(b_list)
        self.lora_router[adapter_name] = nn.Linear(d_in, experts, bias=False)
        weight: Any = self.get_base_layer().weight
        self.to(weight.device)
        self.set_adapter(self.active_adapters)

    def forward(self, x: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
        result: torch.Tensor = self.base_layer(x, *args, **kwargs)
        if self.disable_adapters or self.merged:
            return result
        previous_dtype = result.dtype
        for name in self.active_adapters:
            if name not in self.lora_A:
                continue
            a_experts: Any = self.lora_A[name]
            b_experts: Any = self.lora_B[name]
            x_ = x.to(a_experts[0].weight.dtype)
            gate = torch.softmax(self.lora_router[name](x_), dim=-1)
            dropout = self.lora_dropout[name]
            scale = self.scaling[name]
            for i, (a, b) in enumerate(zip(a_experts, b_experts, strict=True)):
                result = result + b(a(dropout(x_))) * scale * gate[..., i : i + 1]
        return result.to(previous_dtype)

    def merge(self, safe_merge: bool = False, adapter_names: list[str] | None = None) -> None:
        raise NotImplementedError("MoELoRA's token-dependent mixture cannot be merged into the base weights")

    def __repr__(self) -> str:
        return "moelora." + super().__repr__()
