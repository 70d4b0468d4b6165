"""Style as tests: ruff over the code, and mypy --strict over both packages (the dev extra installs them)."""

from __future__ import annotations

import importlib.util
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _tool(module: str) -> None:
    if importlib.util.find_spec(module) is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{module} must be installed in CI: pip install -e '.[dev]'")
        pytest.skip(f"{module} is not installed: pip install -e '.[dev]'")


def test_ruff_finds_nothing():
    _tool("ruff")
    paths = ["autograd", "nn", "tests", "benchmarks", "notebooks"]
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", *paths], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_passes_on_both_packages():
    _tool("mypy")
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
