"""The browser-test machinery (tests/browser.py) on a stand-in view, tests/fixtures/stepper.html.

The stand-in is three circles c = a · b stepped backward: c, then b, then a. Each step makes exactly one
circle `current` and the ones before it `done`, and the panel reads "step k of 3: ...". The same page is
opened alone and inside a notebook exported to HTML; tests/fixtures/throws.html makes each kind of
mistake the machinery must turn into a failure.
"""

from __future__ import annotations

import statistics
import struct
import time
from pathlib import Path

import pytest

from .browser import JavaScriptError, Page, export_notebook
from .conftest import require

FIXTURES = Path(__file__).resolve().parent / "fixtures"
STEPPER = FIXTURES / "stepper.html"
STEPS = ["c", "b", "a"]  # backward order: the output first
TEXTS = ["c = a·b: seed ∂c/∂c = 1", "b: ∂c/∂b = a = 2", "a: ∂c/∂a = b = -3"]


def assert_at(page: Page, step: int, root: str = ".stepper") -> None:
    """Step `step` (0-based) is shown: its circle alone is current, the ones before it done, the panel says so."""
    for k, name in enumerate(STEPS):
        classes = page.classes(f'{root} >> g[data-node="{name}"]')
        assert ("current" in classes) == (k == step), (name, classes)
        assert ("done" in classes) == (k < step), (name, classes)
    assert page.text(f"{root} >> .panel") == f"step {step + 1} of 3: {TEXTS[step]}"


def test_the_page_opens_at_the_first_step(page):
    page.open(STEPPER)
    assert page.count("g.node") == 3
    assert page.count("g.node.current") == 1
    assert_at(page, 0)


def test_next_and_previous_buttons_step_and_stop_at_both_ends(page):
    page.open(STEPPER)
    for expected in (1, 2, 2):
        page.click(".next")
        assert_at(page, expected)
    for expected in (1, 0, 0):
        page.click(".prev")
        assert_at(page, expected)


@pytest.mark.parametrize(("forward", "back"), [("ArrowRight", "ArrowLeft"), ("ArrowDown", "ArrowUp")])
def test_arrow_keys_step_and_stop_at_both_ends(page, forward, back):
    page.open(STEPPER)
    for key, expected in [(forward, 1), (forward, 2), (forward, 2), (back, 1), (back, 0), (back, 0)]:
        page.press(key, ".stepper")
        assert_at(page, expected)


def test_home_and_end_jump_to_the_first_and_last_step(page):
    page.open(STEPPER)
    page.press("End", ".stepper")
    assert_at(page, 2)
    page.press("Home", ".stepper")
    assert_at(page, 0)


def test_the_slider_picks_a_step(page):
    page.open(STEPPER)
    page.set_value(".slider", "2")
    assert_at(page, 2)
    page.set_value(".slider", "1")
    assert_at(page, 1)


def test_space_plays_every_step_in_order_then_stops_at_the_end(page):
    page.open(STEPPER)
    page.evaluate("""() => {
        window.seen = [];
        const panel = document.querySelector(".panel");
        new MutationObserver(() => window.seen.push(panel.textContent)).observe(panel, {childList: true});
    }""")
    page.press(" ", ".stepper")
    page.wait_for("document.querySelector('.play').textContent === '▶ play'")
    assert page.evaluate("() => window.seen") == [f"step {k + 1} of 3: {TEXTS[k]}" for k in (1, 2)]
    assert_at(page, 2)
    assert "playing" not in page.classes(".stepper")


def test_space_pauses_a_play_and_play_at_the_end_starts_again(page):
    slow = STEPPER.read_text(encoding="utf-8").replace('data-interval="120"', 'data-interval="60000"')
    assert slow != STEPPER.read_text(encoding="utf-8")
    page.open(slow)
    page.press("End", ".stepper")
    page.press(" ", ".stepper")  # at the end: back to the first step, then play
    assert_at(page, 0)
    assert "playing" in page.classes(".stepper") and page.text(".play") == "❚❚ pause"
    page.press(" ", ".stepper")
    assert "playing" not in page.classes(".stepper") and page.text(".play") == "▶ play"
    assert_at(page, 0)


@pytest.mark.parametrize(
    ("button", "reported"),
    [
        ("#throw", "uncaught Error: deliberate click error"),
        ("#console", "console.error: deliberate console error"),
        ("#fetch", "network request (a page must work offline): https://example.com/asset.js"),
    ],
)
def test_an_error_in_the_page_fails_the_action_that_caused_it(page, button, reported):
    page.open(FIXTURES / "throws.html")
    with pytest.raises(JavaScriptError) as caught:
        page.click(button)
    assert reported in str(caught.value)
    page.close()  # reported once: closing raises nothing more


def test_an_error_while_loading_fails_the_open(page):
    with pytest.raises(JavaScriptError, match="uncaught Error: deliberate load error"):
        page.open("<!doctype html><script>throw new Error('deliberate load error')</script>")


def test_an_error_after_the_last_action_fails_when_the_page_closes(browser):
    page = browser.new_page()
    page.open(FIXTURES / "throws.html")
    page.click("#later")  # throws 500 ms after the click
    time.sleep(1.0)
    with pytest.raises(JavaScriptError, match="deliberate late error"):
        page.close()


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_a_screenshot_is_a_png_as_wide_as_the_viewport(page, capsys):
    page.open(STEPPER)
    page.press("ArrowRight", ".stepper")
    path = page.screenshot("stepper")
    width, height = png_size(path)
    assert width == 1000 and height >= 700, (width, height)
    narrow = page.screenshot("stepper", width=400)
    assert png_size(narrow)[0] == 400
    with capsys.disabled():
        print(f"\nbrowser screenshots: {path}, {narrow}")


def test_per_step_response_is_measured_in_the_page(page, capsys):
    """A benchmark, not a timed test: it prints the figures and checks only that they were measured."""
    page.open(STEPPER)
    keys = ["ArrowRight", "ArrowRight", "ArrowLeft", "ArrowLeft"] * 10
    timings = page.step_response(".stepper", keys)
    assert [t.key for t in timings] == keys
    assert all(0 <= t.handled <= t.frame for t in timings), timings
    assert_at(page, 0)
    handled = [t.handled for t in timings]
    frame = [t.frame for t in timings]
    with capsys.disabled():
        print(
            f"\nbrowser per-step response over {len(keys)} key presses (ms, median / max): "
            f"DOM updated {statistics.median(handled):.2f} / {max(handled):.2f}, "
            f"next frame {statistics.median(frame):.2f} / {max(frame):.2f}"
        )


def test_a_key_that_changes_nothing_is_reported_by_the_timing(page):
    page.open(STEPPER)
    with pytest.raises(AssertionError, match="pressing 'x' on '.stepper' changed nothing"):
        page.step_response(".stepper", ["x"])  # a key the view does not use


def notebook_with_two_steppers(folder: Path) -> Path:
    """A notebook whose two code cells each display the stand-in view (outputs already in the file)."""
    nbformat = require("nbformat")
    fragment = STEPPER.read_text(encoding="utf-8").split("<body>")[1].split("</body>")[0]
    notebook = nbformat.v4.new_notebook()
    for n in (1, 2):
        cell = nbformat.v4.new_code_cell(f"view_{n}")
        cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": fragment})]
        notebook.cells += [nbformat.v4.new_markdown_cell(f"View {n}:"), cell]
    path = folder / "two_steppers.ipynb"
    nbformat.write(notebook, path)
    return path


def test_a_notebook_exported_to_html_runs_each_view_on_its_own(page, tmp_path, capsys):
    html = export_notebook(notebook_with_two_steppers(tmp_path), tmp_path)
    page.open(html)
    assert page.count(".jp-OutputArea-output .stepper") == 2
    first, second = ".stepper >> nth=0", ".stepper >> nth=1"
    page.press("End", second)
    page.click(f"{second} >> .prev")
    assert_at(page, 1, second)
    assert_at(page, 0, first)
    page.press("ArrowRight", first)
    page.press("ArrowRight", first)
    assert_at(page, 2, first)
    assert_at(page, 1, second)
    path = page.screenshot("notebook")
    with capsys.disabled():
        print(f"\nbrowser notebook screenshot: {path}")
