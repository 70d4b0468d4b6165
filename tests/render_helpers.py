"""Shared by the rendering tests: they run in CI (CI=true), where a missing `dot` is a failure."""

import os
import shutil
import xml.etree.ElementTree as ET

import pytest

SVG = "{http://www.w3.org/2000/svg}"


def need_dot() -> None:
    """Skip outside CI when Graphviz is missing; fail in CI (`make test` and `.ci/run` install it)."""
    missing = [what for what, ok in (("dot", shutil.which("dot")), ("graphviz", _has_graphviz())) if not ok]
    if not missing:
        return
    message = f"missing {' and '.join(missing)}: pip install graphviz; apt install graphviz (or bash scripts/install_dot.sh)"
    if os.environ.get("CI") == "true":
        pytest.fail("rendering tests must run in CI, but " + message)
    pytest.skip(message)


def _has_graphviz() -> bool:
    try:
        import graphviz  # noqa: F401
    except ImportError:
        return False
    return True


def svg_classes(svg: bytes | str) -> dict[str, list[ET.Element]]:
    """The <g> elements of a Graphviz SVG by class: 'node', 'edge', 'graph', 'cluster'."""
    root = ET.fromstring(svg)
    found: dict[str, list[ET.Element]] = {}
    for g in root.iter(SVG + "g"):
        found.setdefault(g.get("class", ""), []).append(g)
    return found


def node_texts(g: ET.Element) -> list[str]:
    return [t.text or "" for t in g.iter(SVG + "text")]


def boxes(dot_text: str) -> dict[str, dict[str, str]]:
    """The named boxes of DOT text from autograd.viz, by name: their op, data and grad as shown
    ("data 0.5", "grad 1.88"; grad "" for a Value not reached yet) and their fill colour."""
    import re

    found: dict[str, dict[str, str]] = {}
    for line in dot_text.splitlines():
        name = re.search(r"<b>(.*?)</b>", line)
        if not name:
            continue
        op = re.search(r'<font color="#666666">(.*?)</font>', line)
        data = re.search(r'id="n\d+_data">data (.*?)</td>', line)
        grad = re.search(r'id="n\d+_grad">grad ?(.*?)</td>', line)
        fill = re.search(r'fillcolor="(#[0-9a-f]+)"', line)
        found[name[1]] = {
            "op": op[1] if op else "",
            "data": data[1] if data else "",
            "grad": grad[1] if grad else "",
            "fill": fill[1] if fill else "",
        }
    return found
