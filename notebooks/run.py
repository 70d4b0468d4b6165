"""Execute the notebooks in a fresh kernel and write their outputs back, normalised.

    .venv/bin/python notebooks/run.py                 # refresh every notebook's committed outputs
    .venv/bin/python notebooks/run.py 02 09           # only the notebooks whose names start so
    .venv/bin/python notebooks/run.py --check         # execute, write nothing, fail on any difference
    .venv/bin/python notebooks/run.py --setup         # write the setup cell (SETUP) into every notebook

A tool, not library code: notebooks import only `autograd` and `nn`. The kernel is this interpreter
(`sys.executable`), whatever `python` on PATH is, so the notebooks see the package installed here. Each
notebook runs from the notebooks/ folder. After execution the file goes through
`nbstripout --keep-output` (execution counts, cell ids and volatile metadata normalised), so running this
twice makes no diff; CI checks that with `nbstripout --keep-output --verify` in tests/test_notebooks.py.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from pathlib import Path
from typing import Any

import nbformat
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbstripout import strip_output

HERE = Path(__file__).resolve().parent
# Where the notebooks install chainrule from when it is not installed (Colab, a bare Jupyter); also the
# badges' target in notebooks/README.md. One place: `run.py --setup` writes it into every notebook.
REPOSITORY = "chainrule/chainrule"
SETUP = f"""\
# Setup. With `make lab` (or `pip install -e '.[notebooks]'`) there is nothing to do. On Colab or a bare
# Jupyter, this installs chainrule from GitHub the first time (about a minute).
import importlib.metadata, importlib.util

try:
    importlib.metadata.version("chainrule")
except importlib.metadata.PackageNotFoundError:
    if importlib.util.find_spec("autograd"):  # another project's package of the same name (Colab has one)
        %pip uninstall --quiet --yes autograd
    %pip install --quiet "chainrule[draw,plot] @ git+https://github.com/{REPOSITORY}"\
"""
GLOSSARY = "GLOSSARY.md"
TIMEOUT = 120  # seconds per cell; every notebook is meant to finish in a few seconds
# A repr like <graphviz.graphs.Digraph at 0x7f3a...> changes every run: keep the words, drop the address.
ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+>")


def notebooks(prefixes: list[str] | None = None) -> list[Path]:
    """The numbered notebooks, in order; with prefixes, only those whose names start with one."""
    found = sorted(HERE.glob("[0-9][0-9]_*.ipynb"))
    if prefixes:
        found = [p for p in found if any(p.name.startswith(x) for x in prefixes)]
    return found


class _ThisPython(KernelSpecManager):  # type: ignore[misc]
    """Every kernel name resolves to ipykernel on this interpreter, with a fixed hash seed."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        return KernelSpec(
            argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            display_name="Python 3 (ipykernel)",
            language="python",
            env={"PYTHONHASHSEED": "0", "MPLBACKEND": "module://matplotlib_inline.backend_inline"},
            resource_dir=str(HERE),
        )


def setup_cell(nb: Any) -> Any | None:
    """The notebook's setup cell (the first code cell, when it installs chainrule), or None."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    return code[0] if code and "importlib.metadata.version(\"chainrule\")" in code[0].source else None


def write_setup(path: Path) -> bool:
    """Put SETUP in the notebook as its first code cell (right after the question); True if it changed."""
    nb = nbformat.read(path, as_version=4)
    cell = setup_cell(nb)
    if cell is None:
        nb.cells.insert(1, nbformat.v4.new_code_cell(SETUP))
    elif cell.source == SETUP:
        return False
    else:
        cell.source = SETUP
    nbformat.write(nb, path)
    return True


def execute(path: Path, after: str | None = None, before: str | None = None) -> Any:
    """Run the notebook top to bottom in a fresh kernel; raises nbclient's CellExecutionError on an error.

    `after`: code run in the same kernel after the last cell (the tests' checks of the notebook's numbers);
    `before`: code run before the first (to hide PyTorch, say). Neither is kept in the result."""
    nb = nbformat.read(path, as_version=4)
    km = KernelManager(kernel_name="python3", kernel_spec_manager=_ThisPython())
    # coalesce_streams: a print reaches the notebook in chunks that depend on timing; merge them.
    if before is not None:
        nb.cells.insert(0, nbformat.v4.new_code_cell(before))
    if after is not None:  # checks run in the notebook's kernel after its last cell, then dropped
        nb.cells.append(nbformat.v4.new_code_cell(after))
    client = NotebookClient(
        nb, km=km, timeout=TIMEOUT, coalesce_streams=True, resources={"metadata": {"path": str(HERE)}}
    )
    client.execute()
    if after is not None:
        nb.cells.pop()
    if before is not None:
        nb.cells.pop(0)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "text/plain" in data:
                data["text/plain"] = ADDRESS.sub(">", data["text/plain"])
    nb.metadata.pop("language_info", None)  # holds the exact Python version: a diff on every upgrade
    return nb


# The metadata `nbstripout` removes by default (its command line adds these to strip_output's own list).
NBSTRIPOUT_EXTRA_KEYS = [
    "metadata.signature", "metadata.widgets", "cell.metadata.collapsed", "cell.metadata.ExecuteTime",
    "cell.metadata.execution", "cell.metadata.heading_collapsed", "cell.metadata.hidden", "cell.metadata.scrolled",
]  # fmt: skip


def normalised_text(nb: Any, scratch: Path) -> str:
    """The text `nbstripout --keep-output` would leave on disk for this notebook (done in process: the
    command costs seconds to start; tests/test_notebooks.py checks the files with the command itself)."""
    strip_output(nb, keep_output=True, keep_count=False, keep_id=False, extra_keys=NBSTRIPOUT_EXTRA_KEYS)
    nbformat.write(nb, scratch)
    return scratch.read_text(encoding="utf-8")


def cells_for_comparison(text: str, *, images: bool = True) -> list[dict[str, Any]]:
    """Sources and outputs; with images=False a picture is compared by its kind only: an image output, or
    HTML that holds an SVG (a drawing, the interactive view), whose bytes depend on the Graphviz and
    matplotlib versions installed."""
    cells = json.loads(text)["cells"]
    if not images:
        for cell in cells:
            for out in cell.get("outputs", []):
                for mime, value in out.get("data", {}).items():
                    if mime.startswith("image/"):
                        out["data"][mime] = "<image>"
                    elif mime == "text/html" and "<svg" in "".join(value):
                        out["data"][mime] = "<html with a picture>"
    return cells


def diff(committed: str, fresh: str, name: str) -> str:
    lines = difflib.unified_diff(
        committed.splitlines(),
        fresh.splitlines(),
        f"{name} (committed)",
        f"{name} (re-run)",
        lineterm="",
        n=1,
    )
    return "\n".join(list(lines)[:60])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("prefixes", nargs="*", help="notebook name prefixes, e.g. 02 09 (default: all)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a re-run differs")
    parser.add_argument("--setup", action="store_true", help="only write the setup cell into each notebook")
    args = parser.parse_args(argv)
    if args.setup:
        for path in notebooks(args.prefixes):
            print(f"{path.name}: {'setup cell written' if write_setup(path) else 'unchanged'}")
        return 0
    failed = 0
    for path in notebooks(args.prefixes):
        scratch = path.with_name(f".{path.stem}.check.ipynb")
        try:
            fresh = normalised_text(execute(path), scratch)
        finally:
            scratch.unlink(missing_ok=True)
        committed = path.read_text(encoding="utf-8")
        if args.check:
            same = fresh == committed
            failed += not same
            print(f"{path.name}: {'same' if same else 'DIFFERS'}")
            if not same:
                print(diff(committed, fresh, path.name))
        else:
            path.write_text(fresh, encoding="utf-8")
            print(f"{path.name}: {'unchanged' if fresh == committed else 'updated'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
