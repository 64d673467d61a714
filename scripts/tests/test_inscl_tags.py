"""InsCL's LLM tagger: its prompt verbatim, its parsing made robust (hand-written replies, broken
ones included), the keys coin's InsCL rule looks up, and a run with a tiny model built from a
config (its replies are gibberish, so only the mechanics are checked)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from scripts import inscl_tags, lm_text
from scripts.inscl_units import distinct_units, strip_image_token, unit_of
from scripts.tests.conftest import build_tiny

# replay/get_api_output.py, get_prompt(query), copied character for character.
INSCL_HEAD = "You are a tagging system that provides useful tags for instruction intentions to distinguish instructions for a helpful AI assistant. Below is an instruction:\n[begin]\n"  # noqa: E501
INSCL_TAIL = '\n[end]\nPlease provide coarse-grained tags, such as "Spelling and Grammar Check" and "Cosplay", to identify main intentions of above instruction. Your answer should be a list including titles of tags and a brief explanation of each tag. Your response have to strictly follow this JSON format: [{"tag": str, "explanation": str}]. Please response in English.'  # noqa: E501


def test_prompt_is_inscls_get_prompt() -> None:
    q = "What is the object in the image?\nAnswer the question using a single word or phrase."
    assert inscl_tags.inscl_prompt(q) == INSCL_HEAD + q + INSCL_TAIL


@pytest.mark.parametrize(
    ("reply", "tags", "parsed"),
    [
        # The format InsCL asks for.
        (
            '[{"tag": "Object Recognition", "explanation": "names"}, {"tag": "Short Answers", "explanation": ""}]',
            ["object recognition", "short answer"],
            True,
        ),
        # Wrapped in prose and a code fence; a stray bracket before the list.
        (
            'Sure [1]! Here:\n```json\n[{"tag": "Visual QA", "explanation": "..."}]\n```',
            ["visual qa"],
            True,
        ),
        # Keys in another order (InsCL would take the explanation), a bare string, a non-string tag.
        (
            '[{"explanation": "e", "tag": "Counting"}, "Spelling and Grammar Check", {"tag": 3}]',
            ["counting", "spelling and grammar check"],
            True,
        ),
        # Truncated mid-list (max_new_tokens hit): no valid JSON, the complete "tag" pairs survive.
        ('[{"tag": "OCR", "explanation": "reads text"}, {"tag": "Sign Read', ["ocr"], False),
        (
            '[{"tag": "Q&A-Systems", "explanation": "a"}, {"tag": "q a systems!", "explanation": "b"}',
            ["q a system"],
            False,
        ),
        # Nothing usable.
        ("dog dog dog cat", [], False),
        ("", [], False),
        ('[{"tag": "123"}, {"tag": ""}]', [], True),
        # An escaped quote inside a tag, on the fallback path.
        ('[{"tag": "The \\"Cosplay\\" Role", "explanation": ', ["the cosplay role"], False),
    ],
)
def test_parsing_hand_written_replies(reply: str, tags: list[str], parsed: bool) -> None:
    assert inscl_tags.parse_tags(reply) == (tags, parsed)


def test_normalisation_follows_inscl() -> None:
    # lower case, every run of non-letters → one space, lemmatised words, stripped
    assert inscl_tags.normalise("  Spelling & Grammar-Check!! ") == "spelling grammar check"
    assert inscl_tags.normalise("Questions about Images") == "question about image"
    assert inscl_tags.normalise("class") == "class"


def test_units_are_the_strings_the_ts_rule_looks_up(tmp_path: Path) -> None:
    records = [
        {"id": 1, "image": "a.png", "conversations": [{"from": "human", "value": "<image>\nWhat is it?\nOne word."}]},
        {"id": 2, "conversations": [{"from": "human", "value": "Read <image> it\nOne word."}, {"from": "gpt"}]},
        {"id": 3, "image": "b.png", "conversations": [{"from": "human", "value": "<image>\nWhat is it?\nOne word."}]},
    ]
    assert strip_image_token("<image>\nA") == "A"
    assert strip_image_token(" x <image> y ") == "x  y"
    assert [unit_of(r, "prompt") for r in records] == [
        "What is it?\nOne word.",
        "Read  it\nOne word.",
        "What is it?\nOne word.",
    ]
    assert unit_of(records[1], "instruction") == "One word."
    f = tmp_path / "train.json"
    f.write_text(json.dumps(records))
    assert distinct_units([f], "prompt") == ["What is it?\nOne word.", "Read  it\nOne word."]


def test_tiny_model_tags_every_instruction(coin_mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = [coin_mini / "ImageNet" / "train.json", coin_mini / "VQAv2" / "train.json"]
    base = build_tiny("llama", data, tmp_path / "base")
    seen: list[str] = []
    real = lm_text.generate

    def spy(model: Any, tok: Any, prompts: list[str], *args: Any, **kw: Any) -> list[str]:
        seen.extend(prompts)
        return real(model, tok, prompts, *args, **kw)

    monkeypatch.setattr(lm_text, "generate", spy)
    out = tmp_path / "tags"
    inscl_tags.main(
        [
            "--model",
            str(base),
            *(x for d in data for x in ("--data", str(d))),
            "--max-new-tokens",
            "8",
            "--out",
            str(out),
        ]
    )

    instructions = distinct_units(data, "prompt")
    # The tiny model has no chat template: CoIN's llava_v1 turn, no system line, InsCL's prompt inside.
    assert seen == [f"USER: {INSCL_HEAD}{i}{INSCL_TAIL} ASSISTANT:" for i in instructions]
    tags = json.loads((out / "tags.json").read_text())
    assert list(tags) == instructions
    assert all(isinstance(t, list) and all(isinstance(x, str) and x for x in t) for t in tags.values())
    replies = [json.loads(line) for line in (out / "replies.jsonl").read_text().splitlines()]
    assert [r["instruction"] for r in replies] == instructions
    assert all(inscl_tags.parse_tags(r["reply"]) == (tags[r["instruction"]], r["parsed"]) for r in replies)
