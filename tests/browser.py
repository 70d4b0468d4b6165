"""A real headless Chromium for the tests: open a page, act on it, read it, fail on any JavaScript error.

The browser is Debian's `chromium` (`bash scripts/install_browser.sh`, which `make test` runs), driven by
Playwright from the dev extra; Playwright's own browser download is never used. Outside CI a missing piece
skips the browser tests with what to install; in CI (CI=true) it fails them (`need_browser`).

One Chromium serves a whole test session; each test gets a fresh `Page` (its own browser context: no
shared storage, focus or viewport). A `Page` fails the test on anything a self-contained view must not do:
an uncaught exception (also in a promise), a `console.error`, or a network request (pages are opened from
file:// and must work offline; the request is refused). Each action waits for the next animation frame and
then raises `JavaScriptError` with everything the page reported; `close()` checks once more, for errors
that came later (a timer).

    with launch(folder) as browser:                  # tests get this from the `browser` fixture
        page = browser.new_page()                    # ... and this from `page`
        page.open(Path("view.html"))                 # a file, or an HTML string
        page.press("ArrowRight", ".stepper")         # focus the element, press the key
        page.classes('g[data-node="b"]')             # ['node', 'current']
        page.text(".panel")                          # 'step 2 of 3: ...'
        page.screenshot("view")                      # folder/view-1000px.png, 1000 px wide
        page.step_response(".stepper", ["ArrowRight", "ArrowLeft"])  # [StepTiming(...), ...]
        page.close()
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

from .conftest import require

if TYPE_CHECKING:
    from playwright.sync_api import Browser as PlaywrightBrowser
    from playwright.sync_api import ConsoleMessage, Error, Playwright, Route

# Playwright adds --headless and a fresh --user-data-dir. The rest keeps Chromium from reaching out (its
# connections to a closed network are refused many at a time and slow it down), from needing a GPU or a
# sandbox (CI runs as root in a container), and from relying on a big /dev/shm (Debian's launcher script
# means to add this flag when /dev/shm is small, but its test breaks on machines with two mounts there).
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
TIMEOUT_MS = 10_000  # one action (open, click, press, wait): a hang fails in seconds, not Playwright's 30 s
OFFLINE_SCRIPT = "data:text/javascript,"  # an empty script that needs no network
LOCAL_SCHEMES = {"file", "data", "blob", "about"}


class JavaScriptError(AssertionError):
    """The page reported an uncaught exception, a console.error or a network request: the test fails."""


def need_browser() -> None:
    """Skip outside CI when Playwright or Chromium is missing; fail in CI (`make test` installs both)."""
    missing = []
    if importlib.util.find_spec("playwright") is None:
        missing.append("Playwright (pip install -e '.[dev]')")
    if shutil.which("chromium") is None:
        missing.append("Debian's Chromium (apt install chromium, or bash scripts/install_browser.sh)")
    if not missing:
        return
    message = "the browser tests need " + " and ".join(missing)
    if os.environ.get("CI") == "true":
        pytest.fail(message + "; in CI they must run, not skip")
    pytest.skip(message)


@dataclass(frozen=True)
class StepTiming:
    """One key press, timed in the page with performance.now(), in milliseconds from the key event.

    `handled`: until the page's handler had changed the DOM (a MutationObserver saw it).
    `frame`: until the next animation frame after that change had run (requestAnimationFrame, then a
    task), i.e. about when the change is on screen.
    """

    key: str
    handled: float
    frame: float


# Installed before any script of the page runs, so that its keydown listener is the first one called: the
# time of the latest key press, however the page listens (a page's own window capture listener would run
# first and change the page before a listener added later heard the key).
_KEY_CLOCK = """window.addEventListener("keydown", (event) => { window.__keyDownAt = event.timeStamp; }, true);"""
# Armed before each timed key press; window.__stepTiming resolves to {handled, frame} or null (no change).
_ARM_TIMING = """() => {
  window.__stepTiming = new Promise((resolve) => {
    const armed = performance.now();
    const observer = new MutationObserver(() => {
      const start = window.__keyDownAt;
      if (start === undefined || start < armed) return;  // not caused by the key press
      observer.disconnect();
      const handled = performance.now() - start;
      requestAnimationFrame(() => setTimeout(() => {
        done({handled: handled, frame: performance.now() - start});
      }, 0));
    });
    const timeout = setTimeout(() => done(null), 2000);
    function done(result) {
      clearTimeout(timeout);
      observer.disconnect();
      resolve(result);
    }
    observer.observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  });
}"""
# Wait until the page has loaded its fonts, a second has passed since it began loading and the main thread
# is idle: a learner reads a page before pressing a key, and Chromium's work in the first half second after
# loading (measured: a first press 40-60 ms before, 15-25 ms after) is the page's loading, not a step's.
_IDLE = """() => document.fonts.ready.then(() => new Promise((resolve) => {
  const check = (deadline) => {
    if (performance.now() >= 1000 && deadline.timeRemaining() >= 40) resolve();
    else requestIdleCallback(check, {timeout: 1000});
  };
  requestIdleCallback(check, {timeout: 1000});
}))"""
_NEXT_FRAME = "() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)))"
_TEXT = "(e) => (e instanceof HTMLElement ? e.innerText : e.textContent)"


class Page:
    """One browser tab of its own; every action fails the test if the page reported an error."""

    def __init__(self, browser: PlaywrightBrowser, folder: Path, width: int, height: int) -> None:
        self.folder = folder
        self.errors: list[str] = []
        self._context = browser.new_context(viewport={"width": width, "height": height})
        self._context.set_default_timeout(TIMEOUT_MS)
        self._context.route("**/*", self._on_request)
        self._context.add_init_script(_KEY_CLOCK)
        self._page = self._context.new_page()
        self._page.on("pageerror", self._on_page_error)
        self._page.on("console", self._on_console)
        self._page.on("crash", lambda _: self.errors.append("the page crashed"))

    # What the page reports: collected as it comes, raised by check().
    def _on_request(self, route: Route) -> None:
        url = route.request.url
        if urlsplit(url).scheme in LOCAL_SCHEMES:
            route.continue_()
            return
        self.errors.append(f"network request (a page must work offline): {url}")
        route.abort()

    def _on_page_error(self, error: Error) -> None:
        self.errors.append(f"uncaught {error.name}: {error.message}\n{error.stack or ''}".rstrip())

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location
            self.errors.append(f"console.error: {message.text} ({where['url']}:{where['lineNumber']})")

    def check(self) -> None:
        """Raise JavaScriptError with every error reported since the last check (and forget them)."""
        if self.errors:
            found, self.errors = self.errors, []
            raise JavaScriptError(f"the page reported {len(found)} error(s):\n" + "\n".join(found))

    def _settled(self) -> None:
        """Let the page draw the next frame (its handlers and rendering have run), then check it."""
        if not self._page.is_closed():
            self._page.evaluate(_NEXT_FRAME)
        self.check()

    # Acting on the page.
    def open(self, source: Path | str) -> None:
        """Load an HTML file (by its file:// URL) or an HTML string (written to a file in the folder)."""
        if isinstance(source, str):
            path = self.folder / f"page-{id(self)}.html"
            path.write_text(source, encoding="utf-8")
            source = path
        self._page.goto(source.resolve().as_uri(), wait_until="load")
        self._settled()

    def press(self, key: str, selector: str | None = None) -> None:
        """Press a key (Playwright's names: 'ArrowRight', ' ', 'Home'), on `selector` focused first if given."""
        if selector is None:
            self._page.keyboard.press(key)
        else:
            self._page.locator(selector).press(key)
        self._settled()

    def click(self, selector: str) -> None:
        self._page.locator(selector).click()
        self._settled()

    def set_value(self, selector: str, value: str) -> None:
        """Set an input's value (a range slider too) and fire its 'input' and 'change' events, as a user does."""
        self._page.locator(selector).evaluate(
            "(e, v) => { e.value = v; e.dispatchEvent(new Event('input', {bubbles: true}));"
            " e.dispatchEvent(new Event('change', {bubbles: true})); }",
            value,
        )
        self._settled()

    def wait_for(self, expression: str, timeout_ms: int = TIMEOUT_MS) -> None:
        """Wait until a JavaScript expression is truthy in the page (e.g. the end of a play)."""
        self._page.wait_for_function(expression, timeout=timeout_ms)
        self._settled()

    # Reading the page.
    def text(self, selector: str) -> str:
        """The text of the one element `selector` matches: as rendered for HTML, textContent for SVG."""
        text: str = self._page.locator(selector).evaluate(_TEXT)
        return text

    def classes(self, selector: str) -> list[str]:
        """The class list of the one element `selector` matches (HTML or SVG)."""
        classes: list[str] = self._page.locator(selector).evaluate("(e) => Array.from(e.classList)")
        return classes

    def count(self, selector: str) -> int:
        """How many elements match `selector`."""
        return self._page.locator(selector).count()

    def evaluate(self, expression: str, arg: Any = None) -> Any:
        """Run JavaScript in the page and return its (JSON-able) result; for what the helpers lack."""
        result = self._page.evaluate(expression, arg)
        self.check()
        return result

    def screenshot(self, name: str, width: int = 1000, selector: str | None = None) -> Path:
        """Save a PNG of the whole page (or of one element) at a viewport `width` px wide; return its path."""
        viewport = self._page.viewport_size
        height = viewport["height"] if viewport else 700
        self._page.set_viewport_size({"width": width, "height": height})
        self._settled()
        path = self.folder / f"{name}-{width}px.png"
        if selector is None:
            self._page.screenshot(path=path, full_page=True)
        else:
            self._page.locator(selector).screenshot(path=path)
        return path

    def step_response(self, selector: str, keys: Sequence[str]) -> list[StepTiming]:
        """Press each key on `selector` in turn and time the page's response to it (a benchmark, not a test).

        Each key must change the DOM within 2 s, else AssertionError (so choose keys that step). Timing starts
        once the page has settled (see _IDLE): its loading is not a step's response.
        """
        self._page.locator(selector).focus()
        self._page.evaluate(_IDLE)
        timings = []
        for key in keys:
            self._page.evaluate(_ARM_TIMING)
            self._page.keyboard.press(key)
            result = self._page.evaluate("() => window.__stepTiming")
            self.check()
            if result is None:
                raise AssertionError(
                    f"pressing {key!r} on {selector!r} changed nothing in the page within 2 s"
                )
            timings.append(StepTiming(key, result["handled"], result["frame"]))
        return timings

    def close(self) -> None:
        """Close the tab; raise JavaScriptError if the page reported an error not yet raised."""
        self._context.close()
        self.check()


class Browser:
    """One headless Chromium; `new_page()` gives each test a fresh tab of its own."""

    def __init__(self, browser: PlaywrightBrowser, folder: Path) -> None:
        self._browser = browser
        self.folder = folder

    @property
    def version(self) -> str:
        return self._browser.version

    def new_page(self, width: int = 1000, height: int = 700) -> Page:
        return Page(self._browser, self.folder, width, height)


@contextmanager
def launch(folder: Path) -> Iterator[Browser]:
    """Start Debian's Chromium headless under Playwright; screenshots and written pages go to `folder`."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        raise FileNotFoundError(
            "no 'chromium' on PATH: apt install chromium (bash scripts/install_browser.sh)"
        )
    folder.mkdir(parents=True, exist_ok=True)
    playwright: Playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
        try:
            yield Browser(browser, folder)
        finally:
            browser.close()


def export_notebook(notebook: Path, folder: Path, execute: bool = False) -> Path:
    """`jupyter nbconvert --to html` (the notebooks extra), offline; return the HTML file's path.

    nbconvert's template loads require.js and MathJax from a CDN; both are replaced by an empty local
    script, so the exported page makes no request of its own and any request a view makes is an error.
    With `execute`, the notebook runs in a fresh kernel first.
    """
    require("nbconvert")
    command = [sys.executable, "-m", "nbconvert", "--to", "html", "--output-dir", str(folder)]
    command += [
        f"--HTMLExporter.require_js_url={OFFLINE_SCRIPT}",
        f"--HTMLExporter.mathjax_url={OFFLINE_SCRIPT}",
    ]
    if execute:
        command.append("--execute")
    command.append(str(notebook))
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    if result.returncode != 0:
        raise AssertionError(f"nbconvert failed on {notebook.name}:\n{result.stderr}")
    return folder / f"{notebook.stem}.html"
