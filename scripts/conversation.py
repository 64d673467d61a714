"""CoIN's prompt format (LLaVA's `llava_v1` conversation, which CoIN trains and evaluates with):

    <system> USER: <image>\n<question> ASSISTANT: <answer></s>USER: ... ASSISTANT: ...</s>

Only the assistant turns are supervised: every other token's label is IGNORE_INDEX."""

from __future__ import annotations

from dataclasses import dataclass

SYSTEM = (
    "A chat between a curious human and an artificial intelligence assistant. "
    "The assistant gives helpful, detailed, and polite answers to the human's questions."
)
IMAGE_TOKEN = "<image>"
IGNORE_INDEX = -100


@dataclass(frozen=True)
class Segment:
    """A piece of the prompt text and whether the model is trained to produce it."""

    text: str
    supervised: bool


def human_text(value: str, has_image: bool) -> str:
    """A human turn with exactly one leading `<image>` line when the record has an image."""
    value = value.replace(IMAGE_TOKEN, "").strip()
    return f"{IMAGE_TOKEN}\n{value}" if has_image else value


def training_segments(
    turns: list[tuple[str, str]], has_image: bool, system: str = SYSTEM, eos: str = "</s>"
) -> list[Segment]:
    """A multi-turn conversation as text segments; `turns` are (human, assistant) pairs."""
    segments = [Segment(f"{system} " if system else "", False)]
    for i, (human, gpt) in enumerate(turns):
        question = human_text(human, has_image and i == 0)
        segments.append(Segment(f"USER: {question} ASSISTANT:", False))
        segments.append(Segment(f" {gpt}{eos}", True))
    return segments


def generation_prompt(question: str, has_image: bool, system: str = SYSTEM) -> str:
    """The prompt for greedy answering (CoIN's model_vqa: `<image>\\n` + the question)."""
    head = f"{system} " if system else ""
    return f"{head}USER: {human_text(question, has_image)} ASSISTANT:"
