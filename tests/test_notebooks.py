"""Every notebook runs top to bottom in a fresh kernel, and its committed outputs are what a re-run gives.

Teaching cells assert nothing (a learner who changes an input should see what happens, not a traceback).
The key numbers a notebook shows are checked from outside: `tests/notebook_checks/<notebook>.py` runs in
the notebook's kernel after its last cell and compares its variables with an oracle of its own (exact
fractions, finite differences, PyTorch float64). To refresh the committed outputs after a change:
`.venv/bin/python notebooks/run.py` (or name prefixes, e.g. `notebooks/run.py 02`).
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
    colab = f"https://colab.research.google.com/github/{run.REPOSITORY}/blob/main/notebooks/{{}}"
    binder = f"https://mybinder.org/v2/gh/{run.REPOSITORY}/main?labpath=notebooks%2F{{}}"
    no_badge = [p.name for p in PATHS if colab.format(p.name) not in index or binder.format(p.name) not in index]
    assert not no_badge, f"notebooks/README.md has no Colab or Binder badge for {no_badge}"


CHECKS = Path(__file__).resolve().parent / "notebook_checks"


def python_of(cell):
    """A code cell's source as Python: an IPython magic line (%pip ...) becomes `pass`, indentation kept."""
    return "".join(
        line[: len(line) - len(line.lstrip())] + "pass\n" if line.lstrip().startswith("%") else line
        for line in cell["source"]
    )


def code_cells(path):
    return [c for c in json.loads(path.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]


def text_of(cell):
    return "".join(
        "".join(out.get("text", "")) + "".join(out.get("data", {}).get("text/plain", ""))
        for out in cell.get("outputs", [])
    )


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_notebook_starts_with_the_setup_cell_and_links_the_glossary(path):
    """Colab or Binder: the first code cell installs chainrule when it is missing (`notebooks/run.py --setup`
    writes it); the question's cell links the glossary."""
    assert "".join(code_cells(path)[0]["source"]) == run.SETUP, f"refresh: notebooks/run.py --setup {path.name[:2]}"
    first = "".join(json.loads(path.read_text(encoding="utf-8"))["cells"][0]["source"])
    assert f"]({run.GLOSSARY}" in first, "the question's cell links the glossary"
    assert (NOTEBOOKS / run.GLOSSARY).exists()


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_notebook_teaching_cells_assert_nothing(path):
    for cell in code_cells(path):
        source = python_of(cell)
        found = [n.lineno for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Assert)]
        assert not found, f"an assert in a teaching cell of {path.name}: {source.splitlines()[found[0] - 1]}"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_notebook_ends_with_your_turn_cells_and_collapsed_solutions(path):
    """A "your turn" cell runs unanswered (`...` where the number goes: the checker asks for it); a
    solution cell, collapsed in Jupyter (source and output hidden), gets the checker's ✓."""
    cells = code_cells(path)
    turns = [c for c in cells if "Your turn" in text_of(c) and "..." in "".join(c["source"])]
    solutions = [c for c in cells if c.get("metadata", {}).get("tags") == ["solution"]]
    assert turns, f"{path.name}: no 'your turn' cell whose checker asks for an answer"
    assert solutions, f"{path.name}: no solution cell (tags: ['solution'])"
    for cell in solutions:
        assert cell["metadata"].get("jupyter") == {"source_hidden": True, "outputs_hidden": True}
        assert "✓" in text_of(cell) and "✗" not in text_of(cell), f"{path.name}: a solution the checker rejects"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_notebook_opens_with_its_question_closes_with_what_we_saw_and_defines_no_library_code(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    first, last = cells[0], cells[-1]
    assert first["cell_type"] == "markdown" and "?" in "".join(first["source"]), "first cell: the question"
    assert last["cell_type"] == "markdown" and "What we saw" in "".join(last["source"])
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        source = python_of(cell)
        for node in ast.walk(ast.parse(source)):
            assert not isinstance(node, ast.ClassDef), f"class {node.name} in a notebook: library code"


def test_notebooks_are_normalised():
    """`nbstripout --keep-output --verify`: no execution counts, cell ids or volatile metadata to diff."""
    command = [sys.executable, "-m", "nbstripout", "--keep-output", "--verify", *map(str, PATHS)]
    result = subprocess.run(command, check=False, capture_output=True, text=True)
    assert result.returncode == 0, f"not normalised: {result.stdout}{result.stderr}; {REFRESH.format('')}"


NO_TORCH = "import sys\nsys.modules['torch'] = None  # import torch now raises ImportError\n"
USES_TORCH = [p for p in PATHS if "import torch" in p.read_text(encoding="utf-8")]


@pytest.mark.parametrize("path", USES_TORCH, ids=lambda p: p.stem)
def test_a_notebook_that_uses_pytorch_says_so_and_runs_without_it(path):
    """PyTorch is an oracle: without it, the main story still runs and the cell says what it would show."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    assert "PyTorch" in "".join(cells[0]["source"]), "the question's cell says the notebook uses PyTorch"
    nb = run.execute(path, before=NO_TORCH)
    said = "".join(text_of(c) for c in nb.cells if c.cell_type == "code")
    assert "pip install" in said and "torch" in said, "without PyTorch, say how to get it"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_notebook_runs_and_reproduces_its_committed_outputs(path, tmp_path):
    """Execute in a fresh kernel (an error in a cell, or a failed check after the last, fails), then compare.

    Text outputs must match exactly. Pictures are compared by kind only: their bytes depend on the
    matplotlib and Graphviz versions installed (`notebooks/run.py --check` compares them byte for byte).
    """
    if path in USES_TORCH and importlib.util.find_spec("torch") is None:  # its committed outputs have it
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path.name} shows PyTorch's numbers, which CI must have: pip install 'chainrule[torch]'")
        pytest.skip(f"{path.name} shows PyTorch's numbers (the oracle): pip install 'chainrule[torch]'")
    checks = CHECKS / f"{path.stem}.py"
    assert checks.exists(), f"{path.name} has no checks of its numbers in {checks}"
    shared = f"import sys as _sys\n_sys.path.insert(0, {str(CHECKS.parent.parent)!r})  # tests.notebook_oracles\n"
    after = shared + checks.read_text(encoding="utf-8")
    fresh = run.normalised_text(run.execute(path, after=after), tmp_path / path.name)
    committed = path.read_text(encoding="utf-8")
    same = run.cells_for_comparison(fresh, images=False) == run.cells_for_comparison(committed, images=False)
    assert same, f"a re-run changes {path.name}; {REFRESH.format(path.name[:2])}\n" + run.diff(
        committed, fresh, path.name
    )
