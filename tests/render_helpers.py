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
