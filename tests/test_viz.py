"""autograd.viz: exact DOT text for small graphs, the size limit, missing-dependency errors, rendering."""

import os
import subprocess
import sys
import textwrap

import pytest

from autograd import Value, dot
from autograd.viz import GraphvizMissingError, draw, role, save, to_dot

from .conftest import require
from .probe import Call, ids, np, refused, sweep
from .render_helpers import need_dot, node_texts, svg_classes

HEAD = """digraph {
  rankdir=LR
  nodesep=0.18
  ranksep=0.3
  ordering=out
  node [fontname="Helvetica" fontsize=11 margin="0.06,0.03"]
  edge [arrowsize=0.6 color="#555555" fontname="Helvetica"]
"""
TABLE = '<table border="0" cellborder="0" cellspacing="0" cellpadding="1">'


def box(i, name, op, data, grad=None):
    """The HTML-like label of the i-th Value's box: name and op, data, grad (as dot_source writes it)."""
    head = (f'<td align="left"><b>{name}</b></td>' if name else "") + (
        f'<td align="right"><font color="#666666">{op}</font></td>' if op else "")
    span = ' colspan="2"' if name and op else ""
    rows = f"<tr>{head}</tr>" if head else ""
    rows += f'<tr><td align="left"{span} id="n{i}_data">data {data}</td></tr>'
    if grad is not None:
        rows += f'<tr><td align="left"{span} id="n{i}_grad">grad {grad}</td></tr>'
    return f"<{TABLE}{rows}</table>>"


def product():
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    c = a * b
    c.label = "c"
    c.backward()
    return a, b, c


def test_exact_dot_for_a_product_coloured_by_role():
    a, _b, c = product()
    expected = HEAD + textwrap.dedent(
        f"""\
          n0 [id=n0 label={box(0, "a", "", 2, -3)} shape=box style="rounded,filled" fillcolor="#ffe8a3"]
          n1 [id=n1 label={box(1, "b", "", -3, 2)} shape=box style="rounded,filled" fillcolor="#cfe2ff"]
          n2 [id=n2 label={box(2, "c", "*", -6, 1)} shape=box style="rounded,filled" fillcolor="#c7f0d2"]
          n0 -> n2 [id=e2_0]
          n1 -> n2 [id=e2_1]
        }}"""
    )
    assert to_dot(c, params=[a]) == expected  # a is a parameter (amber), b an input (blue), c the output


def test_exact_dot_top_to_bottom_without_grads_with_a_constant_and_a_highlight():
    x = Value(0.5, "x")
    y = (x + 1).tanh()
    expected = HEAD.replace("rankdir=LR", "rankdir=TB") + textwrap.dedent(
        f"""\
          n0 [id=n0 label={box(0, "x", "", 0.5)} shape=box style=rounded color="#d62728" penwidth=2.5]
          n1 [id=n1 label="1" shape=plaintext fontcolor="#555555" fontsize=10]
          n2 [id=n2 label={box(2, "", "+", 1.5)} shape=box style=rounded]
          n3 [id=n3 label={box(3, "", "tanh", 0.9051)} shape=box style=rounded]
          n0 -> n2 [id=e2_0]
          n1 -> n2 [id=e2_1]
          n2 -> n3 [id=e3_0]
        }}"""
    )  # tanh(1.5) = 0.905148...; a constant is its number, not a box
    assert to_dot(y, rankdir="TB", show_grad=False, color_by=None, highlight=[x]) == expected


def test_direction_follows_the_shape_of_the_graph():
    x = Value(0.5, "x")
    assert "rankdir=LR" in to_dot((x * 2).tanh())  # shallow: left to right fits a page
    y = x
    for _ in range(12):
        y = (y * 0.9).tanh()
    assert "rankdir=TB" in to_dot(y)  # 25 deep: top to bottom, a notebook scrolls down


def test_edge_width_follows_the_gradient_sent_back_and_stays_within_4_points():
    _a, _b, c = product()
    text = to_dot(c, color_by=None, grad_width=True)
    # Backprop sends dc/da = b = -3 to a, dc/db = a = 2 to b; widths 0.6 + 3.4 |g| / 3
    assert 'n0 -> n2 [id=e2_0 penwidth=4.00]' in text
    assert 'n1 -> n2 [id=e2_1 penwidth=2.87]' in text
    w = Value(1e-3, "w")
    y = (w * 1e-3).tanh() * 1e3  # the root's grad (1) dwarfs what reaches w: no edge wider than 4 points
    y.backward()
    widths = [float(t.split("penwidth=")[1].split("]")[0]) for t in to_dot(y, grad_width=True).splitlines() if "penwidth=" in t]
    assert max(widths) <= 4.0


def test_colour_by_grad_fills_the_largest_gradient_darkest_and_the_legend_says_its_size():
    _a, _b, c = product()
    text = to_dot(c, color_by="grad", legend=True)
    assert 'fillcolor="#ff8c00"]' in next(t for t in text.splitlines() if t.startswith("  n0 "))  # |grad| 3: most
    legend = next(line for line in text.splitlines() if line.startswith("  legend"))
    assert "|grad| 0<" in legend and "|grad| 1.5<" in legend and "|grad| 3<" in legend


def test_roles():
    w, x = Value(1.0, "w"), Value(2.0, "x")
    h = w * x
    y = h + 3
    roles = [role(v, y, params={w}) for v in (w, x, h, y.inputs[1], y)]
    assert roles == ["parameter", "input", "intermediate", "constant", "output"]


def test_dot_is_the_same_on_every_run_and_for_an_identical_graph():
    def build():
        x = Value(1.5, "x")
        y = (x * x + x).sigmoid() * x
        y.backward()
        return y

    y1, y2 = build(), build()
    assert to_dot(y1) == to_dot(y1) == to_dot(y2)


def test_labels_are_escaped_for_html_labels():
    v = Value(1.0, 'a{b|c} "q" <p> & r')
    text = to_dot(v, show_grad=False)
    assert "<b>a{b|c} &quot;q&quot; &lt;p&gt; &amp; r</b>" in text


def test_drawing_reads_grads_without_changing_them():
    a, b, c = product()
    before = [v.grad for v in (a, b, c)]
    to_dot(c, grads={a: 7.0})
    assert [v.grad for v in (a, b, c)] == before
    assert "grad 7" in to_dot(c, grads={a: 7.0})


def test_a_large_graph_is_refused_with_advice():
    x = Value(1.0, "x")
    y = x
    for _ in range(300):
        y = y + 1.0
    with pytest.raises(ValueError, match=r"601 Values, more than max_nodes=250.*Draw less.*max_nodes=601"):
        to_dot(y)
    assert to_dot(y, max_nodes=None).count("->") == 600  # one edge into each + from each of its two inputs


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"rankdir": "RL"}, ValueError, "rankdir must be one of 'LR', 'TB', 'auto'; got 'RL'"),
        ({"color_by": "sign"}, ValueError, "color_by must be one of 'role', 'grad'; got 'sign'"),
        ({"max_nodes": 0}, ValueError, "max_nodes must be >= 1, got 0"),
    ],
)
def test_bad_options(kwargs, error, match):
    with pytest.raises(error, match=match):
        to_dot(Value(1.0), **kwargs)


def test_root_must_be_a_value():
    with pytest.raises(TypeError, match="root must be a Value \\(the root of the graph to draw\\), got float: 1.0"):
        to_dot(1.0)  # type: ignore[arg-type]


def test_to_dot_works_without_graphviz_and_draw_says_what_to_install():
    probe = textwrap.dedent(
        """
        import sys
        sys.modules["graphviz"] = None          # as if the package were not installed
        from autograd import Value
        from autograd.viz import to_dot, draw
        y = Value(1.0, "x") * 2
        print(to_dot(y).splitlines()[0])
        try:
            draw(y)
        except Exception as e:
            print(type(e).__name__, e)
        """
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.startswith(
        "digraph {\nGraphvizMissingError drawing needs the graphviz Python package: pip install graphviz"
    )


def test_a_missing_dot_program_says_what_to_install(monkeypatch, tmp_path):
    require("graphviz")
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no dot here
    with pytest.raises(GraphvizMissingError, match="apt install graphviz.*brew install graphviz"):
        draw(Value(1.0) + 1)


def test_save_dot_text_and_refuse_unknown_suffix(tmp_path):
    _a, _b, c = product()
    path = save(c, tmp_path / "c.dot", color_by=None)
    assert path.read_text() == to_dot(c, color_by=None) + "\n"
    with pytest.raises(ValueError, match=r"end the name in \.svg, \.png, \.pdf"):
        save(c, tmp_path / "c.jpg")
    with pytest.raises(TypeError, match="root Value, DOT text or a graphviz.Source"):
        save(3.0, tmp_path / "c.dot")


# --- rendering: runs in CI --------------------------------------------------------------------------


def neuron():
    """A tanh neuron of two inputs: 5 leaves, the dot node and the tanh node (each a box and an oval)."""
    w = [Value(0.5, "w1"), Value(-1.0, "w2")]
    x = [Value(2.0, "x1"), Value(3.0, "x2")]
    b = Value(1.0, "b")
    out = dot(w, x, b).tanh()
    out.label = "out"
    out.backward()
    return out, w, b


def test_rendered_svg_of_a_neuron_has_every_node_and_edge():
    need_dot()
    out, w, b = neuron()
    svg = draw(out, params=[*w, b]).pipe(format="svg")
    parts = svg_classes(svg)
    assert len(parts["node"]) == 5 + 1 + 1  # 5 leaves, the dot node, the tanh node: one box each
    assert len(parts["edge"]) == 5 + 1  # 5 into dot, dot into tanh
    texts = {t for g in parts["node"] for t in node_texts(g)}
    assert {"w1", "x2", "b", "out", "dot", "tanh", "data -1"} <= texts  # z = 1 - 3 + 1 = -1
    ids = {g.get("id") for g in parts["node"]}
    assert ids == {f"n{i}" for i in range(7)}  # the view finds each box by its id


@pytest.mark.parametrize("suffix, magic", [(".svg", b"<?xml"), (".png", b"\x89PNG"), (".pdf", b"%PDF")])
def test_save_renders_each_format(tmp_path, suffix, magic):
    need_dot()
    out, _, _ = neuron()
    path = save(out, tmp_path / ("neuron" + suffix), legend=True)
    assert path.read_bytes().startswith(magic)


def test_escaped_labels_render_as_written():
    need_dot()
    svg = draw(Value(1.0, 'a{b|c} "q" <p>\\')).pipe(format="svg")
    texts = [t for g in svg_classes(svg)["node"] for t in node_texts(g)]
    assert 'a{b|c} "q" <p>\\' in texts


def test_draw_gives_an_object_jupyter_renders_as_svg():
    need_dot()
    out, _, _ = neuron()
    drawing = draw(out, rankdir="TB", grad_width=True, color_by="grad", legend=True)
    assert hasattr(drawing, "_repr_mimebundle_") or hasattr(drawing, "_repr_svg_")
    assert drawing.pipe(format="svg").startswith(b"<?xml")


def test_ci_installs_dot():
    if os.environ.get("CI") == "true":
        need_dot()


def test_the_legend_names_only_the_roles_in_the_graph():
    x = Value(2.0, "x")
    y = x * 3.0  # an input, a constant and the output; no parameter, no intermediate
    legend = next(line for line in to_dot(y, legend=True).splitlines() if "legend" in line)
    assert ">input<" in legend and ">constant<" in legend and ">output<" in legend
    assert "parameter" not in legend and "intermediate" not in legend


# ---------------------------------------------------------------------------------------------------
# Wrong arguments: refused by name, never a raw error from inside (tests/probe.py)

_x = Value(2.0, "x")
_y = (_x * 3).tanh()
BAD_ARGUMENTS = [
    (Call(to_dot, _y, grads=5), TypeError, "grads must be a dict of Value -> float, got int: 5"),
    (Call(to_dot, _y, grads=[1.0]), TypeError, "grads must be a dict of Value -> float, got list"),
    (Call(to_dot, _y, grads={_x: "a"}), TypeError,
     "grads[Value(data=2.0, grad=0.0, label='x')] must be a real number, got str"),
    (Call(to_dot, _y, grads={_x: Value(1.0)}), TypeError, "must be a real number, got Value"),
    (Call(to_dot, _y, names=["a"]), TypeError, "names must be a dict of Value -> str, got list"),
    (Call(to_dot, _y, names={_y: 5}), TypeError, "must be a str, got int: 5"),
    (Call(to_dot, _y, rankdir="RL"), ValueError, "rankdir must be one of 'LR', 'TB', 'auto'; got 'RL'"),
    (Call(to_dot, _y, rankdir=None), TypeError, "rankdir must be one of 'LR', 'TB', 'auto'; got NoneType"),
    (Call(to_dot, _y, color_by="sign"), ValueError, "color_by must be one of 'role', 'grad'; got 'sign'"),
    (Call(to_dot, _y, color_by=1), TypeError, "color_by must be one of 'role', 'grad'; got int"),
    (Call(to_dot, _y, show_grad="no"), TypeError, "show_grad must be True or False, got str: 'no'"),
    (Call(to_dot, _y, grad_width=1), TypeError, "grad_width must be True or False, got int: 1"),
    (Call(to_dot, _y, legend=None), TypeError, "legend must be True or False, got NoneType"),
    (Call(to_dot, _y, max_nodes=0), ValueError, "max_nodes must be >= 1, got 0"),
    (Call(to_dot, _y, max_nodes=2.5), TypeError, "max_nodes must be an int, got float: 2.5"),
    (Call(to_dot, _y, max_nodes="10"), TypeError, "max_nodes must be an int, got str"),
    (Call(to_dot, _y, params=_x), TypeError, "params must be a list of Values, got Value"),
    (Call(to_dot, _y, params=[1.0]), TypeError, "params[0] must be a Value, got float: 1.0"),
    (Call(to_dot, _y, highlight=None), TypeError, "highlight must be a list of Values, got NoneType"),
    (Call(to_dot, _y, highlight="x"), TypeError, "highlight must be a list of Values, got str: 'x'"),
    (Call(to_dot, 1.0), TypeError, "root must be a Value (the root of the graph to draw), got float: 1.0"),
    (Call(to_dot, [_y]), TypeError, "root must be a Value (the root of the graph to draw), got list"),
    (Call(draw, _y, rankdir="BT"), ValueError, "rankdir must be one of 'LR', 'TB', 'auto'; got 'BT'"),
    (Call(draw, None), TypeError, "root must be a Value"),
    (Call(role, 1.0, _y), TypeError, "v must be a Value, got float: 1.0"),
    (Call(role, _x, None), TypeError, "root must be a Value, got NoneType"),
    (Call(role, _x, _y, params=None), TypeError, "params must be a list of Values, got NoneType"),
    (Call(role, _x, _y, params=[1]), TypeError, "params[0] must be a Value, got int: 1"),
    (Call(save, _y, None), TypeError, "path must be a file name (a str or a pathlib.Path), got NoneType"),
    (Call(save, _y, 5), TypeError, "path must be a file name (a str or a pathlib.Path), got int: 5"),
    (Call(save, _y, "g.jpg"), ValueError, "cannot tell the format from path 'g.jpg'"),
    (Call(save, 3.0, "g.dot"), TypeError,
     "drawing must be a root Value, DOT text or a graphviz.Source, got float"),
    (Call(save, _y, "/nonexistent/g.dot", rankdir="XX"), ValueError,
     "rankdir must be one of 'LR', 'TB', 'auto'; got 'XX'"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "error", "says"), BAD_ARGUMENTS, ids=ids(BAD_ARGUMENTS))
def test_wrong_arguments_are_refused_by_name(call, error, says):
    refused(call, error, says)


def test_numpy_numbers_are_accepted():
    assert to_dot(_y, max_nodes=np.int64(5)) == to_dot(_y, max_nodes=5)
    assert "grad 0.5" in to_dot(_y, grads={_x: np.float64(0.5)})


def test_sweep_of_wrong_values_finds_no_raw_error(tmp_path):
    options = {"rankdir": "LR", "show_grad": True, "color_by": "role", "grad_width": False, "params": (),
               "highlight": (), "legend": False, "max_nodes": 250}  # fmt: skip
    names = {0: "root", **{k: k for k in options}}
    assert sweep(to_dot, (_y,), {**options, "names": None, "grads": None}, {**names, "names": "names",
                                                                            "grads": "grads"}) == []  # fmt: skip
    assert sweep(draw, (_y,), options, names) == []
    assert sweep(role, (_x, _y), {"params": ()}, {0: "v", 1: "root", "params": "params"}) == []
    assert sweep(save, (_y, tmp_path / "g.dot"), {}, {0: "drawing", 1: "path"}) == []
