"""Writes test/fixtures/replay/emd-pot.json: exact 1-Wasserstein distances from POT's ot.emd2.

The TypeScript solver (rules/replay/emd.ts) is checked against these values to 1e-6 by
test/replay/emd.test.ts; scripts/tests/test_replay_emd.py checks that the committed file still
matches what POT computes. Regenerate with: python scripts/replay/emd_fixtures.py
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import ot

OUT = Path(__file__).resolve().parents[2] / "test" / "fixtures" / "replay" / "emd-pot.json"


def make_cases(seed: int = 15) -> list[dict[str, object]]:
    rng = np.random.default_rng(seed)
    cases: list[dict[str, object]] = []
    shapes = [(1, 1), (1, 5), (4, 1), (3, 3), (5, 7), (12, 9), (30, 25), (60, 80)]
    for n, m in shapes:
        for masses in ("uniform", "frequency"):
            dim = int(rng.integers(2, 9))
            a = rng.normal(size=(n, dim))
            b = rng.normal(size=(m, dim))
            if n > 2 and m > 2:
                b[0] = a[0]  # a zero-cost pair
                b[1] = 2.5 * a[1]  # cosine ignores scale
            wa = np.ones(n, dtype=int) if masses == "uniform" else rng.integers(1, 20, size=n)
            wb = np.ones(m, dtype=int) if masses == "uniform" else rng.integers(1, 20, size=m)
            cost = ot.dist(a, b, metric="cosine")
            value = float(ot.emd2(wa / wa.sum(), wb / wb.sum(), cost, numItermax=1_000_000))
            cases.append(
                {
                    "name": f"{n}x{m}-{masses}",
                    "a": a.tolist(),
                    "b": b.tolist(),
                    "wa": wa.tolist(),
                    "wb": wb.tolist(),
                    "emd2": value,
                }
            )
    return cases


def main() -> None:
    cases = make_cases()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    meta = {"generator": "scripts/replay/emd_fixtures.py", "pot": ot.__version__, "metric": "cosine"}
    OUT.write_text(json.dumps({"meta": meta, "cases": cases}, indent=1) + "\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
