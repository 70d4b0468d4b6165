"""Shared fixtures. PyTorch is a test oracle: present in `make test` (the [torch] extra) and required in CI."""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

# Scripts run inside a notebook's kernel after its last cell (tests/test_notebooks.py), not modules to import.
collect_ignore_glob = ["notebook_checks/*"]

if TYPE_CHECKING:
    from .browser import Browser, Page


def require(module: str) -> Any:
    """Import a test dependency from the dev extra: outside CI a missing one skips, in CI it fails."""
    try:
        return importlib.import_module(module)
    except ImportError:
        message = f"{module} is a test dependency: pip install -e '.[dev,torch]' (make test does)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message, allow_module_level=True)


@pytest.fixture(scope="session")
def torch() -> Any:
    """The torch module; outside CI a missing torch skips the oracle tests, in CI it fails them."""
    try:
        import torch as torch_module
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("PyTorch is the test oracle and must be installed in CI: pip install 'chainrule[torch]'")
        pytest.skip("PyTorch (the oracle) is not installed: pip install 'chainrule[torch]'")
    torch_module.set_default_dtype(torch_module.float64)
    return torch_module


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """One headless Chromium for the session (tests/browser.py); outside CI a missing one skips, in CI it fails."""
    from .browser import launch, need_browser

    need_browser()
    with launch(tmp_path_factory.mktemp("browser")) as running:
        yield running


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh tab, 1000 px wide; a JavaScript error the test did not see fails it at teardown."""
    tab = browser.new_page()
    yield tab
    tab.close()
