"""coin's Python side: CoIN stage training (full / LoRA / MoELoRA), prediction in CoIN's JSONL,
the General-Knowledge judge, and CoIN-mini helpers. Each module is a command:
`python3 -m scripts.<module> --help` from the repository root."""
