"""Stage chaining: the projector's weights change and travel to the next stage; the adapter is
loaded, not merged; trainer_state.json logs every step; a method mismatch is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from scripts import train
from scripts.checkpoint import (
    ADAPTER_FILE,
    NON_LORA_FILE,
    CheckpointError,
    Method,
    load_for_stage,
    load_pretrained,
)


def run_stage(
    base: Path, data: Path, images: Path, out: Path, method: str, prev: Path | None = None, steps: int = 3
) -> Path:
    args = [
        "--model",
        str(base),
        "--data",
        str(data),
        "--image-folder",
        str(images),
        "--method",
        method,
        "--r",
        "4",
        "--alpha",
        "8",
        "--experts",
        "2",
        "--steps",
        str(steps),
        "--batch-size",
        "4",
        "--lr",
        "0.01",
        "--out",
        str(out),
    ]
    train.main(args + (["--prev", str(prev)] if prev else []))
    return out


@pytest.mark.parametrize("method", ["lora", "moelora"])
def test_projector_changes_and_travels_and_adapter_is_not_merged(
    method: str, tiny_llava: Path, coin_mini: Path, rendered: Path, tmp_path: Path
) -> None:
    base = load_pretrained(tiny_llava).model.state_dict()
    s1 = run_stage(tiny_llava, coin_mini / "ImageNet" / "train.json", rendered, tmp_path / "s1", method)
    s2 = run_stage(tiny_llava, coin_mini / "VQAv2" / "train.json", rendered, tmp_path / "s2", method, prev=s1)

    proj1 = load_file(s1 / NON_LORA_FILE)
    assert proj1 and all("multi_modal_projector" in k for k in proj1)
    for k, v in proj1.items():  # trained in full: it moved away from the base weights
        name = k.removeprefix("base_model.model.")
        assert not torch.equal(v, base[name]), k

    # Stage 2 starts from stage 1's projector and adapter...
    loaded = load_for_stage(tiny_llava, Method(method, r=4, alpha=8, experts=2), s1)
    params = dict(loaded.model.named_parameters())
    for k, v in proj1.items():
        torch.testing.assert_close(params[k].detach(), v)
    adapter1 = load_file(s1 / ADAPTER_FILE)
    assert any(v.abs().sum() > 0 for k, v in adapter1.items() if "lora_B" in k)
    # ... without merging: the base linear weights are the base model's, the adapter sits beside them.
    for name, value in loaded.model.state_dict().items():
        if name.endswith("base_layer.weight"):
            base_name = name.removeprefix("base_model.model.").replace(".base_layer", "")
            torch.testing.assert_close(value, base[base_name])
    # ... and trains on: stage 2's adapter and projector differ from stage 1's.
    adapter2 = load_file(s2 / ADAPTER_FILE)
    assert adapter2.keys() == adapter1.keys()
    assert any(not torch.equal(adapter1[k], adapter2[k]) for k in adapter1)
    proj2 = load_file(s2 / NON_LORA_FILE)
    assert any(not torch.equal(proj1[k], proj2[k]) for k in proj1)

    state = json.loads((s2 / "trainer_state.json").read_text())
    assert [e["step"] for e in state["log_history"]] == [1, 2, 3]
    assert all(set(e) == {"step", "loss", "lr"} for e in state["log_history"])


def test_same_seed_same_checkpoint(tiny_llava: Path, coin_mini: Path, rendered: Path, tmp_path: Path) -> None:
    a = run_stage(tiny_llava, coin_mini / "ImageNet" / "train.json", rendered, tmp_path / "a", "lora", steps=2)
    b = run_stage(tiny_llava, coin_mini / "ImageNet" / "train.json", rendered, tmp_path / "b", "lora", steps=2)
    assert (a / ADAPTER_FILE).read_bytes() == (b / ADAPTER_FILE).read_bytes()


def test_method_mismatch_is_refused(tiny_llava: Path, coin_mini: Path, rendered: Path, tmp_path: Path) -> None:
    s1 = run_stage(tiny_llava, coin_mini / "ImageNet" / "train.json", rendered, tmp_path / "s1", "lora", steps=1)
    with pytest.raises(CheckpointError, match="one method"):
        load_for_stage(tiny_llava, Method("moelora", r=4, alpha=8, experts=2), s1)
