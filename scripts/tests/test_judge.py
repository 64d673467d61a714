"""The GK judge: CoIN's prompt, its score parsing and aggregation, and an OpenAI-compatible endpoint
(a local HTTP server standing in for vLLM)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

from scripts import judge


def test_prompt_is_coins_create_prompt() -> None:
    q = {"question_id": 1, "text": "What is this?\nAnswer the question using a single word or phrase.", "answer": "cat"}
    system, user = judge.create_prompt(q, "a cat")
    assert system == {"role": "system", "content": judge.SYSTEM}
    assert user["content"] == (
        "[Context]\n[Question]\nWhat is this?\n\n[Ground truth answer]\ncat\n\n[End of ground truth answer]\n\n"
        f"[Assistant]\na cat\n\n[End of Assistant]\n\n[System]\n{judge.PROMPT}\n\n"
    )


def test_parsing_and_aggregation_follow_coin() -> None:
    assert judge.parse_score("7") == 7.0
    assert judge.parse_score("8/10") == 8.0
    assert judge.parse_score("11") is None
    assert judge.parse_score("good") is None
    # (10 + 5 + 0 + 7) / 40 = 55% (an unparsable reply scores 0 but still counts 10 in the total)
    assert judge.aggregate(["10", "5", "excellent", "7/10"]) == (55.0, 1)


def test_endpoint_judge_end_to_end(tmp_path: Path) -> None:
    seen: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append(body)
            ground_truth = body["messages"][1]["content"].split("[Ground truth answer]\n")[1].split("\n")[0]
            answer = body["messages"][1]["content"].split("[Assistant]\n")[1].split("\n")[0]
            reply = "10" if answer == ground_truth else "2/10"
            data = json.dumps({"choices": [{"message": {"content": reply}}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        questions = tmp_path / "test.json"
        questions.write_text(
            json.dumps(
                [
                    {"question_id": "a", "text": "Q1?\nAnswer.", "answer": "cat"},
                    {"question_id": "b", "text": "Q2?\nAnswer.", "answer": "dog"},
                ]
            )
        )
        preds = tmp_path / "merge.jsonl"
        preds.write_text(
            json.dumps({"question_id": "a", "text": "cat"})
            + "\n"
            + json.dumps({"question_id": "b", "text": "cow"})
            + "\n"
        )
        judge.main(
            [
                "--predictions",
                str(preds),
                "--questions",
                str(questions),
                "--task",
                "gqa",
                "--endpoint",
                f"http://127.0.0.1:{server.server_port}/v1",
                "--judge-name",
                "j",
                "--out",
                str(tmp_path / "out"),
            ]
        )
    finally:
        server.shutdown()
    score = json.loads((tmp_path / "out" / "score.json").read_text())
    assert score["metric"] == "general_knowledge" and score["value"] == 60.0 and score["n"] == 2
    assert seen[0]["model"] == "j" and seen[0]["temperature"] == 0
