"""Every notebook runs top to bottom in a fresh kernel, and its committed outputs are what a re-run gives.

A notebook asserts its own key numbers in its cells, so a silent wrong answer fails here as an error.
To refresh the committed outputs after a change: `.venv/bin/python notebooks/run.py` (or name prefixes,
e.g. `notebooks/run.py 02`).
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
_spec = importlib.util.spec_from_file_location("notebooks_run", NOTEBOOKS / "run.py")
assert _spec is not None and _spec.loader is not None
run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(run)

PATHS = run.notebooks()
REFRESH = "refresh with: .venv/bin/python notebooks/run.py {}"


def test_there_are_notebooks_and_the_index_lists_each_one():
    assert len(PATHS) >= 9
    index = (NOTEBOOKS / "README.md").read_text(encoding="utf-8")
    missing = [p.name for p in PATHS if f"({p.name})" not in index]
    assert not missing, f"notebooks/README.md does not link {missing}"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_notebook_opens_with_its_question_closes_with_what_we_saw_and_defines_no_library_code(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    first, last = cells[0], cells[-1]
    assert first["cell_type"] == "markdown" and "?" in "".join(first["source"]), "first cell: the question"
    assert last["cell_type"] == "markdown" and "What we saw" in "".join(last["source"])
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        source = "".join(line for line in cell["source"] if not line.lstrip().startswith("%"))
        for node in ast.walk(ast.parse(source)):
            assert not isinstance(node, ast.ClassDef), f"class {node.name} in a notebook: library code"


def test_notebooks_are_normalised():
    """`nbstripout --keep-output --verify`: no execution counts, cell ids or volatile metadata to diff."""
    command = [sys.executable, "-m", "nbstripout", "--keep-output", "--verify", *map(str, PATHS)]
    result = subprocess.run(command, check=False, capture_output=True, text=True)
    assert result.returncode == 0, f"not normalised: {result.stdout}{result.stderr}; {REFRESH.format('')}"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_notebook_runs_and_reproduces_its_committed_outputs(path, tmp_path):
    """Execute in a fresh kernel (any error or failed assert in a cell fails), then compare with the file.

    Text outputs must match exactly. Pictures are compared by kind only: their bytes depend on the
    matplotlib and Graphviz versions installed (`notebooks/run.py --check` compares them byte for byte).
    """
    if "import torch" in path.read_text(encoding="utf-8") and importlib.util.find_spec("torch") is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path.name} needs PyTorch, which CI must have: pip install 'chainrule[torch]'")
        pytest.skip(f"{path.name} needs PyTorch (the oracle): pip install 'chainrule[torch]'")
    fresh = run.normalised_text(run.execute(path), tmp_path / path.name)
    committed = path.read_text(encoding="utf-8")
    same = run.cells_for_comparison(fresh, images=False) == run.cells_for_comparison(committed, images=False)
    assert same, f"a re-run changes {path.name}; {REFRESH.format(path.name[:2])}\n" + run.diff(
        committed, fresh, path.name
    )
