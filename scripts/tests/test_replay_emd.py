"""The committed EMD fixtures (test/fixtures/replay/emd-pot.json) are what POT's ot.emd2 computes.

The TypeScript solver is compared with those values by test/replay/emd.test.ts; this test makes
sure the fixture file itself was produced by POT and not edited by hand.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

ot = pytest.importorskip("ot", reason="POT is not installed: pip install -r scripts/replay/requirements.txt")

from scripts.replay.emd_fixtures import OUT, make_cases  # noqa: E402


def test_committed_fixtures_match_pot() -> None:
    committed = json.loads(OUT.read_text())["cases"]
    assert len(committed) == len(make_cases())
    for case in committed:
        wa = np.asarray(case["wa"], dtype=float)
        wb = np.asarray(case["wb"], dtype=float)
        cost = ot.dist(np.asarray(case["a"]), np.asarray(case["b"]), metric="cosine")
        value = ot.emd2(wa / wa.sum(), wb / wb.sum(), cost, numItermax=1_000_000)
        assert abs(float(value) - case["emd2"]) <= 1e-9, case["name"]
