"""`chainrule draw`: an expression of named scalars drawn after a backward pass; clear errors, never a
traceback: usage errors (including an expression that cannot be evaluated) exit 2, a drawing that cannot
be written exits 1 with one line on stderr."""

import builtins
import errno
import io
import os
import re
import subprocess

import pytest

from nn import cli

from .conftest import require
from .render_helpers import boxes, need_dot, node_texts, svg_classes


def run(argv):
    """`chainrule draw ...` in-process: the exit status (2 comes from argparse as SystemExit)."""
    try:
        return cli.main(argv)
    except SystemExit as e:
        return e.code


def test_the_issue_example_writes_dot_text_with_the_gradients(tmp_path, capsys):
    out = tmp_path / "graph.dot"
    assert run(["draw", "tanh(w*x + b)", "w=0.5", "x=2", "b=-1", "-o", str(out), "--params", "w,b"]) == 0
    text = out.read_text()
    # y = tanh(0.5·2 - 1) = tanh(0) = 0; dy/dw = x (1 - y²) = 2, dy/dx = w = 0.5, dy/db = 1
    shown = boxes(text)
    assert shown["w"] == {"op": "", "data": "0.5", "grad": "2", "fill": "#ffe8a3"}  # a parameter
    assert shown["x"] == {"op": "", "data": "2", "grad": "0.5", "fill": "#cfe2ff"}  # an input
    assert shown["b"]["grad"] == "1" and ">tanh<" in text
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


# ---------------------------------------------------------------------------------------------------
# Bad command lines, scripted: the arguments after `chainrule draw -o <tmp>/g.dot`, the exit status and
# words the message must contain (a regular expression). Exit 0 rows are edge cases that must stay fine.

DRAW_TABLE = [
    # the issue's examples and other values at which the expression has no finite real value
    (["(-8)**0.5 * x", "x=1"], 2, r"\(-8\)\*\*0.5 in '\(-8\)\*\*0.5 \* x' has no real value \(a negative number to a"),
    (["log(x)", "x=0"], 2, "cannot evaluate log\\(x\\): log needs a positive input, got 0.0"),
    (["2 * log(x)", "x=-1"], 2, "cannot evaluate log\\(x\\) in '2 \\* log\\(x\\)': log needs a positive input"),
    (["1/x", "x=0"], 2, "cannot evaluate 1/x: division by zero"),
    (["x/y", "x=0", "y=0"], 2, "cannot evaluate x/y: division by zero"),
    (["1/(x-x)", "x=1"], 2, "cannot evaluate 1/\\(x-x\\): division by zero"),
    (["0**-1"], 2, "cannot evaluate 0\\*\\*-1: 0.0 cannot be raised to a negative power"),
    (["sqrt(-1)"], 2, "sqrt needs a non-negative input, got -1.0"),
    (["x**0.5", "x=-1"], 2, "cannot evaluate x\\*\\*0.5: -1.0 \\*\\* 0.5"),
    (["x**y", "x=-8", "y=0.5"], 2, "cannot evaluate x\\*\\*y: -8.0 \\*\\* 0.5"),
    (["(-1)**x", "x=0.5"], 2, "cannot evaluate \\(-1\\)\\*\\*x"),
    (["x**-1", "x=0"], 2, "cannot evaluate x\\*\\*-1"),
    # overflow: refused, never drawn as inf
    (["exp(x)", "x=1000"], 2, "cannot evaluate exp\\(x\\): the result overflows, too large for a float"),
    (["x**1000", "x=10"], 2, "cannot evaluate x\\*\\*1000: the result overflows"),
    (["2**x", "x=5000"], 2, "cannot evaluate 2\\*\\*x: the result overflows"),
    (["x*x", "x=1e200"], 2, "cannot evaluate x\\*x: the result overflows"),
    (["x*1e308*10", "x=10"], 2, "cannot evaluate x\\*1e308 in 'x\\*1e308\\*10'"),
    (["1/x", "x=1e-320"], 2, "cannot evaluate 1/x: the result overflows"),
    (["exp(exp(x))", "x=10"], 2, "cannot evaluate exp\\(exp\\(x\\)\\)"),
    (["9 ** 9 ** 9"], 2, "too large for a float"),
    (["x*1e400", "x=1"], 2, "not allowed: the constant 1e400 \\(it is inf as a float\\)"),
    (["tanh(x)", "x=1e308"], 0, ""),
    (["sigmoid(x)", "x=-1e308"], 0, ""),
    (["x - x", "x=1e308"], 0, ""),
    # slips from maths notation get the Python spelling
    (["x^2", "x=1"], 2, "\\^ is bitwise xor in Python; for a power write x\\*\\*2$"),
    (["x^2 + 1", "x=1"], 2, "for a power write x\\*\\*2 \\+ 1$"),  # not x**(2 + 1), as Python would group it
    (["2*x^2", "x=1"], 2, "for a power write 2\\*x\\*\\*2$"),
    (["(x+1)^2", "x=1"], 2, "for a power write \\(x\\+1\\)\\*\\*2$"),
    (["e^x", "x=1"], 2, "for a power write exp\\(x\\)$"),
    (["e^(2*x)", "x=1"], 2, "for a power write exp\\(2\\*x\\)$"),
    (["e**x", "x=1"], 2, "no value for e .*e is not built in: for eˣ write exp\\(x\\)"),
    (["pi*x", "x=1"], 2, "pi is not built in: pass pi=3.141592653589793"),
    (["2x", "x=1"], 2, "cannot parse '2x': invalid decimal literal at column 1; did you mean 2\\*x\\?"),
    (["2x+3y", "x=1", "y=1"], 2, "did you mean 2\\*x\\+3\\*y\\?"),
    (["3.5x", "x=1"], 2, "did you mean 3.5\\*x\\?"),
    (["x²+1", "x=1"], 2, "invalid character '²' .*did you mean x\\*\\*2\\+1\\?"),
    (["x³·y", "x=1", "y=1"], 2, "did you mean x\\*\\*3\\*y\\?"),
    (["x×y", "x=1", "y=2"], 2, "did you mean x\\*y\\?"),
    (["x·y", "x=1", "y=2"], 2, "x·y reads as one name \\(Python allows · in names\\); for a product write x\\*y"),
    (["x−1", "x=1"], 2, "did you mean x-1\\?"),
    (["x÷2", "x=1"], 2, "did you mean x/2\\?"),
    (["√x", "x=1"], 2, "did you mean sqrt\\(x\\)\\?"),
    (["√(x+1)", "x=1"], 2, "did you mean sqrt\\(x\\+1\\)\\?"),
    (["|x|", "x=1"], 2, "did you mean abs\\(x\\)\\?"),
    (["|x-1|", "x=1"], 2, "did you mean abs\\(x-1\\)\\?"),
    (["ln(x)", "x=1"], 2, "a call of ln .*log is the natural logarithm here: write log\\(x\\)"),
    (["log10(x)", "x=1"], 2, "write log\\(x\\) / log\\(10\\)"),
    (["pow(x, 2)", "x=1"], 2, "for a power write x\\*\\*y"),
    (["tan(x)", "x=1"], 2, "write sin\\(x\\) / cos\\(x\\)"),
    (["Exp(x)", "x=1"], 2, "names are case-sensitive: write exp"),
    (["math.exp(x)", "x=1"], 2, "not allowed: math.exp .*no module prefix: write exp\\(x\\)"),
    (["np.tanh(x)", "x=1"], 2, "no module prefix: write tanh\\(x\\)"),
    (["x(1+y)", "x=1", "y=1"], 2, "x is not one of the functions .*for a product write x\\*\\(1\\+y\\)"),
    (["2(x+1)", "x=1"], 2, "for a product write 2\\*\\(x\\+1\\)"),
    (["(x+1)(x-1)", "x=1"], 2, "for a product write \\(x\\+1\\)\\*\\(x-1\\)"),
    (["x y", "x=1", "y=1"], 2, "for a product write \\* between the factors"),
    (["sin x", "x=1"], 2, "a function needs parentheses: write sin\\(x\\)"),
    (["1,5*x", "x=1"], 2, "a comma outside a call \\(for a decimal number write a point: 1.5\\)"),
    # unbalanced parentheses, other syntax
    (["(x+1", "x=1"], 2, "'\\(' was never closed at column 1; the parentheses do not balance: 1 opened, 0 closed"),
    (["x+1)", "x=1"], 2, "unmatched '\\)' at column 4; the parentheses do not balance: 0 opened, 1 closed"),
    (["sin(x", "x=1"], 2, "the parentheses do not balance: 1 opened, 0 closed"),
    (["(x+1]", "x=1"], 2, "does not match"),
    (["x +", "x=1"], 2, "cannot parse"),
    (["x**", "x=1"], 2, "cannot parse 'x\\*\\*'"),
    (["x'", "x=1"], 2, "cannot parse"),
    ([""], 2, "the expression is empty"),
    (["   "], 2, "the expression is empty"),
    (["x + " * 200 + "x"], 2, "the limit is 500"),
    # names that are functions, values that are not numbers
    (["exp(x)", "x=1", "exp=1"], 2, "exp is a function, not a name: give values only for the names"),
    (["x", "sin=1", "x=1"], 2, "sin is a function, not a name"),
    (["exp*2", "exp=1"], 2, "the function exp without a call \\(write exp\\(x\\)\\)"),
    (["x"], 2, "no value for x in 'x' \\(values given for: none\\); pass each name as name=number, e.g. x=1.0"),
    (["w * q", "w=1"], 2, "no value for q in 'w \\* q'"),
    (["w * x", "w=1", "x=2", "z=3"], 2, "z given but not used in 'w \\* x'"),
    (["x", "X=1"], 2, "X given but not used in 'x'"),
    (["w", "w=1", "w=2"], 2, "w is given twice"),
    (["w", "w=abc"], 2, "the value of w must be a number, got 'abc'"),
    (["w", "w="], 2, "the value of w must be a number, got ''"),
    (["x*2", "x=1,5"], 2, "got '1,5' \\(a decimal point, not a comma: 1.5\\)"),
    (["x", "x=0x10"], 2, "the value of x must be a number, got '0x10'"),
    (["x", "x=1/2"], 2, "the value of x must be a number, got '1/2'"),
    (["w", "w=nan"], 2, "must be a finite number"),
    (["x", "x=1e400"], 2, "must be a finite number, got '1e400'"),
    (["x", "x=-inf"], 2, "must be a finite number"),
    (["w", "0.5"], 2, "expected NAME=NUMBER such as w=0.5, got '0.5'"),
    (["x", "=1"], 2, "expected NAME=NUMBER such as w=0.5, got '=1'"),
    (["x*2", "x", "=", "1"], 2, "got 'x' \\(write x=1.5, with no spaces around =\\)"),
    (["x=1"], 2, "assignments are not allowed: write one expression"),
    # an expression that starts with - looks like a flag to argparse
    (["-x", "x=1"], 2, "'-x' starts with -, so it reads as a flag, .* write it in parentheses, \"\\(-x\\)\""),
    (["-2*x", "x=1"], 2, "'-2\\*x' starts with -"),
    (["x", "x=1", "--colour-by", "none"], 2, "--colour-by: did you mean --color-by\\?"),
    (["(-x)", "x=1"], 0, ""),
    (["--", "-x*y", "x=1", "y=2"], 0, ""),
    # the whitelist: no code runs
    (["x.__class__"], 2, "not allowed: attribute access"),
    (["__import__('os').system('true')"], 2, "not allowed"),
    (["__import__('os')"], 2, "not allowed: a call of __import__"),
    (["[x]", "x=1"], 2, "not allowed: lists"),
    (["x;y", "x=1", "y=1"], 2, "statements are not allowed"),
    (["x if x else 1", "x=1"], 2, "conditional expressions"),
    (["x != 1", "x=1"], 2, "comparisons"),
    (["x % 2", "x=1"], 2, "the operator %"),
    (["leaky_relu(x)", "x=1"], 2, "leaky_relu takes 2 arguments, got 1"),
    (["leaky_relu(x, y)", "x=1", "y=1"], 2, "the slope of leaky_relu must be a number"),
    (["exp()"], 2, "exp takes 1 argument, got 0"),
    # flags
    (["w", "w=1", "--params", "v"], 2, "--params names v"),
    (["w", "w=1", "--paths", "v"], 2, "--paths v"),
    (["w", "w=1", "--paths", ""], 2, "--paths: expected a name from the expression, such as x, got ''"),
    (["w", "w=1", "--rankdir", "RL"], 2, "invalid choice: 'RL'"),
    (["w", "w=1", "-o", "graph.jpg"], 2, "end the name in .svg, .png, .pdf, .dot or .gv"),
    (["w", "w=1", "-o", "graph"], 2, "cannot tell the format from 'graph'"),
    (["w", "w=1", "-o"], 2, "-o/--output: expected one argument"),
    # fine
    (["7"], 0, ""),
    (["α*x", "α=1", "x=2"], 0, ""),
    (["x", "x=1", "--steps", "--paths", "x", "--grad-width", "--color-by", "grad", "--params", "x,x"], 0, ""),
    (["abs(x)", "x=0", "--steps"], 0, ""),
    (["x*y", "x=1e-200", "y=1e-200"], 0, ""),  # underflows to 0: exact enough, not an error
    (["x # a comment", "x=1"], 0, ""),
]


@pytest.mark.parametrize(("argv", "status", "words"), DRAW_TABLE, ids=[" ".join(r[0])[:40] for r in DRAW_TABLE])
def test_bad_draw_command_lines(tmp_path, capsys, argv, status, words):
    out = tmp_path / "g.dot"
    assert run(["draw", "-o", str(out), *argv]) == status  # an exception here is the traceback we forbid
    printed, err = capsys.readouterr()
    assert "Traceback" not in err
    if status == 2:
        last = err.splitlines()[-1]
        assert err.startswith("usage: chainrule draw ") and last.startswith("chainrule draw: error: ")
        assert re.search(words, last), last
        assert not out.exists()
    else:
        assert err == "" and printed.endswith(f"wrote {out}\n") and out.exists()


def test_an_infinite_derivative_is_drawn_with_a_note(tmp_path, capsys):
    out = tmp_path / "g.dot"
    assert run(["draw", "sqrt(x)", "x=0", "-o", str(out)]) == 0  # d√x/dx = 1/(2√x) → ∞ at 0
    assert capsys.readouterr().err == (
        "note: dL/dx = inf: a derivative that is infinite here (as sqrt's at 0) or too large for a float\n"
    )
    assert boxes(out.read_text())["x"]["grad"] == "inf"


# ---------------------------------------------------------------------------------------------------
# Failures while writing: exit 1, one line on stderr, nothing half-written, the old file kept.


def test_a_missing_dot_program_is_exit_1_with_what_to_install(tmp_path, monkeypatch, capsys):
    require("graphviz")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert run(["draw", "w * 2", "w=1", "-o", str(tmp_path / "g.svg")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("chainrule draw: drawing needs Graphviz's 'dot' program")
    assert "apt install graphviz" in err and "-o " + str(tmp_path / "g.dot") in err
    assert list(tmp_path.iterdir()) == []


def test_dot_failing_is_exit_1_with_its_reason(tmp_path, monkeypatch, capsys):
    def save(*args, **kwargs):
        raise subprocess.CalledProcessError(1, ["dot", "-Tpng"], stderr=b'Format: "png" not recognized.\n')

    monkeypatch.setattr("autograd.viz.save", save)
    assert run(["draw", "w * 2", "w=1", "-o", str(tmp_path / "g.png")]) == 1
    assert capsys.readouterr().err == (
        f"chainrule draw: Graphviz's dot could not write '{tmp_path / 'g.png'}': Format: \"png\" not recognized.\n"
    )


@pytest.mark.parametrize(("target", "reason"), [("a-file/g.dot", "Not a directory"), ("a-dir.dot", "Is a directory")])
def test_an_unwritable_output_is_exit_1_naming_it(tmp_path, capsys, target, reason):
    (tmp_path / "a-file").write_text("")
    (tmp_path / "a-dir.dot").mkdir()
    out = tmp_path / target
    assert run(["draw", "x", "x=1", "-o", str(out)]) == 1
    assert capsys.readouterr().err == f"chainrule draw: cannot write '{out}': {reason}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-dir.dot", "a-file"]  # no temporary left


def test_a_full_disk_keeps_the_previous_drawing(tmp_path, capsys, monkeypatch):
    out = tmp_path / "g.dot"
    out.write_text("the previous drawing\n")
    real_open = builtins.open

    class FullDisk:
        def __init__(self, f):
            self.f = f

        def write(self, data):
            self.f.write(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

    def full_open(file, mode="r", *args, **kwargs):
        f = real_open(file, mode, *args, **kwargs)
        return FullDisk(f) if "w" in mode and str(file).startswith(str(tmp_path)) else f

    monkeypatch.setattr(builtins, "open", full_open)
    monkeypatch.setattr(io, "open", full_open)
    status = run(["draw", "x * y", "x=1", "y=2", "-o", str(out)])
    monkeypatch.undo()
    assert status == 1
    assert capsys.readouterr().err == f"chainrule draw: cannot write '{out}': No space left on device\n"
    assert out.read_text() == "the previous drawing\n"
    assert [p.name for p in tmp_path.iterdir()] == ["g.dot"]


def test_renders_svg_png_and_pdf(tmp_path):
    need_dot()
    svg = tmp_path / "graph.svg"
    assert (
        run(["draw", "sigmoid(w1*x1 + w2*x2 + b)", "w1=1", "x1=2", "w2=-1", "x2=0.5", "b=0", "-o", str(svg)])
        == 0
    )
    parts = svg_classes(svg.read_bytes())
    # 5 leaves; *, *, +, + and sigmoid: a box each; the legend is one more node
    assert len(parts["node"]) == 5 + 5 + 1
    assert {"w1", "x2", "sigmoid"} <= {t for g in parts["node"] for t in node_texts(g)}
    for suffix, magic in ((".png", b"\x89PNG"), (".pdf", b"%PDF")):
        path = tmp_path / ("graph" + suffix)
        assert run(["draw", "tanh(w*x + b)", "w=0.5", "x=2", "b=-1", "-o", str(path), "--rankdir", "TB"]) == 0
        assert path.read_bytes().startswith(magic)
    assert run(["draw", "x", "x=1", "-o", str(tmp_path / "upper.SVG")]) == 0
    assert b"<svg" in (tmp_path / "upper.SVG").read_bytes()


def test_draw_command_called_directly_returns_the_status(tmp_path):
    import argparse

    from nn.cli_draw import add_parser

    parser = argparse.ArgumentParser(prog="chainrule")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["draw", "w * x", "w=3", "x=4", "-o", str(tmp_path / "g.dot")])
    assert args.func(args) == 0 and boxes((tmp_path / "g.dot").read_text())["w"]["grad"] == "4"


def test_html_writes_the_interactive_step_through(tmp_path, capsys):
    need_dot()
    page = tmp_path / "steps.html"
    assert run(["draw", "tanh(w*x + b)", "w=0.5", "x=2", "b=-0.5", "--html", str(page), "--params", "w,b"]) == 0
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "chainruleView(" in text and "<svg" in text
    assert capsys.readouterr().out == f"wrote {page}\n"  # only the page: no graph.svg unless -o is given
    assert not (tmp_path / "graph.svg").exists()
    assert run(["draw", "x", "x=1", "--html", str(tmp_path / "steps.txt")]) == 2
    assert "end the name in .html" in capsys.readouterr().err
