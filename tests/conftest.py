"""Shared fixtures. PyTorch is a test oracle: present in `make test` (the [torch] extra) and required in CI."""

from __future__ import annotations

import importlib
import os
from typing import Any

import pytest


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
