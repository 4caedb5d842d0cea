"""The bot on help centers it was not tuned on: every evaluation center (eval/centers) decided by models
fitted on the other centers only, on a third of their questions (the quick run), must stay within a few
points of the committed figures (eval/baseline.json, from
`python -m destek.bot.evaluate --every 3 --baseline eval/baseline.json`). The full run and its numbers:
docs/bot.md."""

from __future__ import annotations

import json
from pathlib import Path

from destek.bot.corpus import DEFAULT_ROOT
from destek.bot.evaluate import leave_one_center_out, observe_all

BASELINE = DEFAULT_ROOT.parent / "baseline.json"
# Points a figure may fall below the baseline before the test fails (the models are deterministic up to
# float rounding; this is room for a changed dependency, not for a worse bot).
SLACK = 0.03
LOWER_IS_BETTER = {"out_of_scope_answered"}


async def test_the_left_out_figures_hold() -> None:
    baseline = json.loads(BASELINE.read_text())
    every = int(baseline.pop("every"))
    observed = await observe_all(Path(DEFAULT_ROOT), None, None, every=every, large=False)
    found = leave_one_center_out(observed.by_center)["all"]
    worse = {
        name: (found[name], floor)
        for name, floor in baseline.items()
        if (found[name] > floor + SLACK if name in LOWER_IS_BETTER else found[name] < floor - SLACK)
    }
    assert not worse, f"worse than eval/baseline.json (found, baseline): {worse}"
    # What the issue asks of an answer, whatever the baseline says.
    assert found["precision"] >= 0.95 and found["out_of_scope_answered"] <= 0.05
