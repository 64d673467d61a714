"""Device choice and seeding shared by training and prediction."""

from __future__ import annotations

import torch


def pick_device(name: str) -> torch.device:
    """`auto` is CUDA when a GPU is visible (CUDA_VISIBLE_DEVICES, as coin grants it), else CPU."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def seed_everything(seed: int, device: torch.device) -> None:
    """Same seed, same bytes on CPU (deterministic kernels); on CUDA as deterministic as torch allows."""
    torch.manual_seed(seed)
    if device.type == "cpu":
        torch.use_deterministic_algorithms(True)
