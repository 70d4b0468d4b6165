"""The interactive step-through's response, measured in a real browser (headless Chromium, as the tests
drive it): for each view, the time from a key press to the next animation frame after the page changed,
over many steps. Layout happens once, when the page is made; stepping only changes what is shown. Timing
starts once the page has settled after loading (a second after it began, main thread idle): a press within
half a second of loading also waits for Chromium's own loading work (40-130 ms measured on this 2-core
machine), which is the page's load time, not a step's response.

The two views of issue 13: a 2-2-2 training step (the delta-rule network: 34 steps) and MLP(2, [4, 4, 1])
on 4 samples (neurons drawn collapsed: 187 steps).
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path
from typing import Any

PRESSES = 40


def views() -> dict[str, Any]:
    from nn import MLP
    from nn.diagram import step_through

    small = MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid", bias=False, seed=0)
    for p, w in zip(small.parameters(), [0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55], strict=True):
        p.data = w
    big = MLP(2, [4, 4, 1], seed=0)
    X = [[0.1, 0.2], [0.5, -0.3], [-0.7, 0.4], [0.9, 0.9]]
    return {
        "2-2-2 training step": step_through(small, [0.05, 0.10], [0.01, 0.99], lr=0.5),
        "MLP(2, [4, 4, 1]), 4 samples": step_through(big, X, [1.0, -1.0, 1.0, -1.0], lr=0.1),
    }


def bench_view(presses: int = PRESSES) -> dict[str, Any]:
    """Per-step response (ms) of each view: median and max over `presses` presses of → (and End, Home)."""
    try:
        from tests.browser import launch
    except ImportError as e:  # the dev extra (Playwright) is missing
        return {"error": f"cannot drive a browser: {e}"}
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp, launch(Path(tmp)) as browser:
        for name, view in views().items():
            page = browser.new_page()
            page.open(view.save_html(Path(tmp) / "view.html"))
            keys = ["ArrowRight"] * min(presses, len(view) - 1) + ["End", "Home"]
            timings = page.step_response(".crv", keys)
            page.close()
            frames = [t.frame for t in timings]
            out[name] = {"steps": len(view), "median_ms": statistics.median(frames), "max_ms": max(frames),
                         "presses": len(frames)}  # fmt: skip
    return out
