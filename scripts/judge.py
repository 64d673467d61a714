"""CoIN's General-Knowledge evaluation (ETrain/Eval/LLaVA/CoIN/create_prompt.py and
evaluate_generalknowledege.py): a judge model rates each answer against the ground truth on 0–10;
the task's score is Σ scores / (10 · n) · 100, rounded, with CoIN's parsing (a number ≤ 10, or
"x/10"; anything else scores 0 and counts as a parse failure).

The judge is a local HF causal LM (`--judge-model DIR`, greedy) or an OpenAI-compatible chat
endpoint (`--endpoint http://host:8000/v1 --judge-name NAME`, as vLLM serves one).

    python3 -m scripts.judge --predictions merge.jsonl --questions test.json --out DIR
        (--judge-model DIR | --endpoint URL --judge-name NAME) [--task T]

Writes `score.json` (metric `general_knowledge`, in coin's score-file shape) and the judge's raw
replies in `judge.jsonl`."""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import progress

SYSTEM = "You are a helpful and precise assistant for checking the quality of the answer."
ROLE = "Assistant"
# rule.json's "CoIN" prompt, verbatim.
PROMPT = (
    "We would like to request your feedback on the performance of an AI assistants in response to the user "
    "question displayed above.\nPlease rate the accuracy of its responses according to the ground truth "
    "answer displayed above. The assistant receives an overall score on a scale of 0 to 10, where a higher score "
    "indicates better overall performance.\nPlease output a single line containing only a values indicating "
    "the scores for the Assistant."
)

Message = dict[str, str]


def create_prompt(question: dict[str, Any], answer: str) -> list[Message]:
    """create_prompt.py's message for one answer (rule_temp 'CoIN': the question without its last
    line, the instruction)."""
    question_label = "\n".join(question["text"].split("\n")[:-1])
    content = (
        f"[Context]\n[Question]\n{question_label}\n\n"
        f"[Ground truth answer]\n{question['answer']}\n\n[End of ground truth answer]\n\n"
        f"[{ROLE}]\n{answer}\n\n[End of {ROLE}]\n\n[System]\n{PROMPT}\n\n"
    )
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": content}]


def parse_score(text: str) -> float | None:
    """CoIN's parsing: float(text) if ≤ 10; else the part before '/' if numeric and ≤ 10."""
    try:
        score = float(text)
        return score if score <= 10.0 else None
    except ValueError:
        if "/" in text:
            head = text.split("/")[0]
            if head.isnumeric() and float(head) <= 10.0:
                return float(head)
        return None


def aggregate(replies: list[str]) -> tuple[float, int]:
    """(final score 0–100 rounded as CoIN, parse failures)."""
    scores = [parse_score(r.strip()) for r in replies]
    total = 10 * len(replies)
    value = sum(s for s in scores if s is not None) / total if total else 0.0
    return float(round(value * 100.0)), sum(s is None for s in scores)


Judge = Callable[[list[Message]], str]


def endpoint_judge(url: str, name: str, timeout: float = 120.0) -> Judge:
    def ask(messages: list[Message]) -> str:
        body = json.dumps({"model": name, "messages": messages, "temperature": 0, "max_tokens": 16}).encode()
        request = urllib.request.Request(
            url.rstrip("/") + "/chat/completions", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            reply = json.loads(response.read())
        return str(reply["choices"][0]["message"]["content"])

    return ask


def local_judge(path: Path, max_new_tokens: int = 16) -> Judge:
    import torch

    from .checkpoint import load_pretrained

    loaded = load_pretrained(path)  # a causal LM or a LLaVA-style model answering from text alone
    tok = loaded.tokenizer
    model: Any = loaded.model.eval()

    def ask(messages: list[Message]) -> str:
        if tok.chat_template:
            text = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        else:
            text = "\n\n".join(m["content"] for m in messages) + "\n"
        ids = tok(text, return_tensors="pt")
        with torch.inference_mode():
            out = model.generate(
                **ids,
                max_new_tokens=max_new_tokens,
                do_sample=False,
                pad_token_id=tok.pad_token_id or tok.eos_token_id,
            )
        return str(tok.decode(out[0, ids["input_ids"].shape[1] :], skip_special_tokens=True))

    return ask


def judge_file(predictions: Path, questions: Path, ask: Judge) -> tuple[list[dict[str, Any]], float, int]:
    by_id = {str(q["question_id"]): q for q in json.loads(questions.read_text())}
    rows = []
    lines = [json.loads(line) for line in predictions.read_text().splitlines() if line.strip()]
    for i, prediction in enumerate(lines):
        question = by_id.get(str(prediction["question_id"]))
        if question is None:
            raise ValueError(f"{predictions}: question_id {prediction['question_id']!r} is not in {questions}")
        reply = ask(create_prompt(question, prediction["text"]))
        rows.append({"question_id": prediction["question_id"], "reply": reply})
        progress.report(i + 1, len(lines))
    value, failures = aggregate([r["reply"] for r in rows])
    return rows, value, failures


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--predictions", type=Path, required=True)
    ap.add_argument("--questions", type=Path, required=True)
    ap.add_argument("--judge-model", type=Path)
    ap.add_argument("--endpoint")
    ap.add_argument("--judge-name", default="judge")
    ap.add_argument("--task", default="")
    ap.add_argument("--key", default="", help="the coin target's key (provenance)")
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args(argv)
    if bool(a.judge_model) == bool(a.endpoint):
        print("error: give exactly one of --judge-model DIR or --endpoint URL", file=sys.stderr)
        sys.exit(2)
    ask = endpoint_judge(a.endpoint, a.judge_name) if a.endpoint else local_judge(a.judge_model)
    try:
        rows, value, failures = judge_file(a.predictions, a.questions, ask)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "judge.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    score = {
        "task": a.task,
        "variant": "coin",
        "metric": "general_knowledge",
        "value": value,
        "n": len(rows),
        "correct": 0,
        "parse_failures": failures,
        "missing": 0,
        "checkpoint": "",
        "key": a.key,
    }
    (a.out / "score.json").write_text(json.dumps(score, indent=1) + "\n")
    print(f"general knowledge {value} over {len(rows)} answers ({failures} unparsable) -> {a.out}")


if __name__ == "__main__":
    main()
