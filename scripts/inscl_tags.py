"""InsCL's instruction tagger with a local HF model: the tags InsInfo is computed from.

    python3 -m scripts.inscl_tags --model DIR --data task1/train.json --data ... [--unit prompt] --out DIR

InsCL (OPPO-Mente-Lab/InsCL) asks GPT-4 for tags with the prompt in `replay/get_api_output.py`
(`get_prompt`, quoted verbatim in PROMPT_HEAD/PROMPT_TAIL), reads each reply with `json.loads`, and
in `replay/tag_utils.py` (`get_InsInfo_dic`) keeps each item's first value (the tag), lower-cases
it, turns every run of non-letters into a space and lemmatises it (NLTK POS + WordNet). Here a
local causal LM answers greedily, and parsing is forgiving where InsCL's crashes: the JSON list is
searched for inside the reply, and a reply that is no valid JSON still yields its `"tag": "..."`
pairs. The lemmatiser is a fixed rule (a plural `s` dropped), the same one coin's deterministic
word tagger uses: NLTK's WordNet data is not on a package registry.

Writes OUT/tags.json (instruction → tags), the file coin's InsCL rule reads in place of its word
tagger (`tagger: 'file'`), and OUT/replies.jsonl (every reply and whether it parsed)."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from . import progress
from .inscl_units import Unit, distinct_units

PROMPT_HEAD = (
    "You are a tagging system that provides useful tags for instruction intentions to distinguish instructions "
    "for a helpful AI assistant. Below is an instruction:\n[begin]\n"
)
PROMPT_TAIL = (
    '\n[end]\nPlease provide coarse-grained tags, such as "Spelling and Grammar Check" and "Cosplay", to identify '
    "main intentions of above instruction. Your answer should be a list including titles of tags and a brief "
    'explanation of each tag. Your response have to strictly follow this JSON format: [{"tag": str, '
    '"explanation": str}]. Please response in English.'
)
TAG_PAIR = re.compile(r'"tag"\s*:\s*"((?:[^"\\]|\\.)*)"')


def inscl_prompt(instruction: str) -> str:
    """InsCL's get_prompt(query)."""
    return PROMPT_HEAD + instruction + PROMPT_TAIL


def _json_list(reply: str) -> list[Any] | None:
    """The first JSON list in the reply that holds objects or strings (models wrap the answer in
    prose or code fences, and prose may hold other brackets, such as `[1]`); else the first list."""
    decoder = json.JSONDecoder()
    first: list[Any] | None = None
    for start in (m.start() for m in re.finditer(r"\[", reply)):
        try:
            value, _ = decoder.raw_decode(reply, start)
        except json.JSONDecodeError:
            continue
        if isinstance(value, list):
            if any(isinstance(v, dict | str) for v in value):
                return value
            first = value if first is None else first
    return first


def _unescape(s: str) -> str:
    try:
        value: str = json.loads(f'"{s}"')
        return value
    except json.JSONDecodeError:
        return s


def raw_tags(reply: str) -> tuple[list[str], bool]:
    """(tag titles, whether the reply held a valid JSON list). InsCL takes each item's first value;
    here the `tag` key when present, else the first string value; a bare string item is a tag."""
    items = _json_list(reply)
    if items is None:
        return [_unescape(m) for m in TAG_PAIR.findall(reply)], False
    tags: list[str] = []
    for item in items:
        if isinstance(item, str):
            tags.append(item)
        elif isinstance(item, dict):
            value = item.get("tag", next((v for v in item.values() if isinstance(v, str)), None))
            if isinstance(value, str):
                tags.append(value)
    return tags, True


def lemma(word: str) -> str:
    """A plural `s` dropped (coin's word tagger's rule; InsCL uses NLTK's WordNet lemmatiser)."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def normalise(tag: str) -> str:
    """InsCL's normalisation: lower case, non-letters → spaces, lemmatised words."""
    words = re.sub(r"[^A-Za-z]+", " ", tag.lower()).split()
    return " ".join(lemma(w) for w in words)


def parse_tags(reply: str) -> tuple[list[str], bool]:
    """Normalised, deduplicated tags of one reply (first occurrence order), and whether it parsed."""
    raw, parsed = raw_tags(reply)
    tags = [t for t in (normalise(r) for r in raw) if t]
    return list(dict.fromkeys(tags)), parsed


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, required=True, help="the tagging LM (HF folder)")
    ap.add_argument("--data", type=Path, action="append", required=True, help="CoIN train.json (repeat per task)")
    ap.add_argument("--unit", choices=["prompt", "instruction"], default="prompt")
    ap.add_argument("--max-new-tokens", type=int, default=128)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args(argv)
    unit: Unit = a.unit
    try:
        instructions = distinct_units(a.data, unit)
    except (OSError, json.JSONDecodeError) as e:
        print(f"error: cannot read the instructions ({e})", file=sys.stderr)
        sys.exit(2)

    from .checkpoint import CheckpointError, load_pretrained
    from .device import pick_device
    from .lm_text import dialogue_prompt, generate

    try:
        loaded = load_pretrained(a.model)
    except CheckpointError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    model = loaded.model.to(pick_device(a.device)).eval()
    tok = loaded.tokenizer
    replies: list[str] = []
    for start in range(0, len(instructions), a.batch_size):
        chunk = instructions[start : start + a.batch_size]
        prompts = [dialogue_prompt(tok, [], inscl_prompt(i), system="") for i in chunk]
        replies += generate(model, tok, prompts, a.max_new_tokens, batch_size=a.batch_size)
        progress.report(len(replies), len(instructions), message="tagging")
    tags: dict[str, list[str]] = {}
    failures = 0
    a.out.mkdir(parents=True, exist_ok=True)
    with (a.out / "replies.jsonl").open("w") as f:
        for instruction, reply in zip(instructions, replies, strict=True):
            tags[instruction], parsed = parse_tags(reply)
            failures += not parsed
            f.write(json.dumps({"instruction": instruction, "reply": reply, "parsed": parsed}) + "\n")
    (a.out / "tags.json").write_text(json.dumps(tags, indent=1, ensure_ascii=False) + "\n")
    print(f"tagged {len(tags)} instructions ({failures} replies without a JSON list) -> {a.out / 'tags.json'}")


if __name__ == "__main__":
    main()
