"""`chainrule draw`: an expression of named scalars drawn after a backward pass; clear errors."""

import argparse
import re

import pytest

from nn.cli_draw import add_parser

from .conftest import require
from .render_helpers import need_dot, node_texts, svg_classes


def run(argv):
    parser = argparse.ArgumentParser(prog="chainrule")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


def test_the_issue_example_writes_dot_text_with_the_gradients(tmp_path, capsys):
    out = tmp_path / "graph.dot"
    assert run(["draw", "tanh(w*x + b)", "w=0.5", "x=2", "b=-1", "-o", str(out), "--params", "w,b"]) == 0
    text = out.read_text()
    # y = tanh(0.5·2 - 1) = tanh(0) = 0; dy/dw = x (1 - y²) = 2, dy/dx = w = 0.5, dy/db = 1
    assert 'label="{w|data 0.5|grad 2}" shape=record style=filled fillcolor="#ffe8a3"' in text  # a parameter
    assert 'label="{x|data 2|grad 0.5}" shape=record style=filled fillcolor="#cfe2ff"' in text  # an input
    assert 'label="{b|data -1|grad 1}"' in text and 'label="tanh"' in text
    assert capsys.readouterr().out == f"wrote {out}\n"


def test_steps_and_paths_are_printed(tmp_path, capsys):
    assert (
        run(["draw", "x * y + x", "x=2", "y=5", "-o", str(tmp_path / "g.dot"), "--steps", "--paths", "x"])
        == 0
    )
    printed = capsys.readouterr().out
    assert "  dL/dy += dL/dv2 * ∂v2/∂y = 1 * 2 = 2" in printed  # d(xy)/dy = x = 2
    assert "dL/dx: 2 paths from x to L" in printed
    assert "sum over paths = 6; the backward pass gives dL/dx = 6" in printed  # y + 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["x.__class__"], "not allowed: attribute access"),
        (["__import__('os').system('true')"], "not allowed"),
        (["w * q", "w=1"], "no value for q in 'w \\* q'"),
        (["w * x", "w=1", "x=2", "z=3"], "z given but not used in 'w \\* x'"),
        (["w", "w=1", "w=2"], "w is given twice"),
        (["w", "w=abc"], "the value of w must be a number, got 'abc'"),
        (["w", "w=nan"], "must be a finite number"),
        (["w", "0.5"], "expected NAME=NUMBER such as w=0.5, got '0.5'"),
        (["w +", "w=1"], "cannot parse"),
        (["log(w)", "w=0"], "log needs a positive input, got 0.0"),
        (["w", "w=1", "--params", "v"], "--params names v"),
        (["w", "w=1", "--paths", "v"], "--paths v"),
        (["w", "w=1", "-o", "graph.jpg"], "end the name in .svg, .png, .pdf, .dot or .gv"),
    ],
)
def test_usage_errors_exit_2_with_a_clear_message(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run(["draw", *argv])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "chainrule draw: error:" in err
    assert re.search(message, err), err


def test_a_missing_dot_program_is_exit_1_with_what_to_install(tmp_path, monkeypatch, capsys):
    require("graphviz")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert run(["draw", "w * 2", "w=1", "-o", str(tmp_path / "g.svg")]) == 1
    err = capsys.readouterr().err
    assert "apt install graphviz" in err and "-o " + str(tmp_path / "g.dot") in err


def test_renders_svg_png_and_pdf(tmp_path):
    need_dot()
    svg = tmp_path / "graph.svg"
    assert (
        run(["draw", "sigmoid(w1*x1 + w2*x2 + b)", "w1=1", "x1=2", "w2=-1", "x2=0.5", "b=0", "-o", str(svg)])
        == 0
    )
    parts = svg_classes(svg.read_bytes())
    # 5 leaves; *, *, +, + and sigmoid: a box and an oval each; the legend is one more node
    assert len(parts["node"]) == 5 + 5 * 2 + 1
    assert {"w1", "x2", "sigmoid"} <= {t for g in parts["node"] for t in node_texts(g)}
    for suffix, magic in ((".png", b"\x89PNG"), (".pdf", b"%PDF")):
        path = tmp_path / ("graph" + suffix)
        assert run(["draw", "tanh(w*x + b)", "w=0.5", "x=2", "b=-1", "-o", str(path), "--rankdir", "TB"]) == 0
        assert path.read_bytes().startswith(magic)


def test_through_the_chainrule_command(tmp_path, capsys):
    from nn import cli

    out = tmp_path / "g.dot"
    status = cli.main(["draw", "w * x", "w=3", "x=4", "-o", str(out)])
    assert status == 0 and 'label="{w|data 3|grad 4}"' in out.read_text()
