"""autograd.view: the frames of the interactive step-through hold the engine's numbers, step by step, and
the page is one self-contained document. (The page in a real browser: tests/test_view_browser.py.)"""

from __future__ import annotations

import json
import math
import re

import pytest

import autograd
from autograd import Value
from autograd.explain import steps
from autograd.view import view

from .render_helpers import need_dot


def neuron():
    w, x, b, t = Value(0.5, "w"), Value(2.0, "x"), Value(-0.5, "b"), Value(1.0, "t")
    z = w * x + b
    z.label = "z"
    a = z.tanh()
    a.label = "a"
    E = 0.5 * (a - t) ** 2
    E.label = "E"
    return {"w": w, "x": x, "b": b, "t": t, "z": z, "a": a, "E": E}


def shown_number(text):
    return float(text.split()[1])


def fold(frames, k):
    """What step k shows, as the page's script computes it: frames 0..k folded."""
    state = {"hidden": set(), "data": {}, "grad": {}}
    for f in frames[: k + 1]:
        state["hidden"] |= set(f.get("hide", []))
        state["hidden"] -= set(f.get("show", []))
        state["data"].update(f.get("data", {}))
        state["grad"].update(f.get("grad", {}))
    return state


def test_forward_frames_make_each_value_in_the_order_the_engine_did():
    v = neuron()
    sv = view(v["E"])
    order = sv.order
    forward = [f for f in sv.frames if f["phase"] == "forward"]
    made = [u for u in order if u.op is not None]
    assert [f["current"] for f in forward] == [f"n{order.index(u)}" for u in made]
    start = fold(sv.frames, 0)
    assert start["hidden"] == {f"n{order.index(u)}" for u in made}  # nothing computed before the forward pass
    assert all(start["data"][f"n{order.index(u)}"] == "data" for u in made)  # and no number shown for it
    for k, (f, u) in enumerate(zip(forward, made, strict=True), start=1):
        state = fold(sv.frames, k)
        assert f"n{order.index(u)}" not in state["hidden"]
        assert shown_number(state["data"][f"n{order.index(u)}"]) == pytest.approx(u.data, rel=1e-3)


def test_backward_frames_fill_in_the_engines_gradients_and_nothing_before_it_is_reached():
    v = neuron()
    E = v["E"]
    sv = view(E)
    E.backward()
    order = sv.order
    first = next(k for k, f in enumerate(sv.frames) if f["phase"] == "backward")
    assert all(g == "grad" for g in fold(sv.frames, first - 1)["grad"].values())  # no grad before backward
    final = fold(sv.frames, len(sv.frames) - 1)["grad"]
    for u in order:
        if u.op is not None or u.label:  # every Value but the constants
            assert shown_number(final[f"n{order.index(u)}"]) == pytest.approx(u.grad, rel=1e-3), u
    # the step where z's gradient arrives is the step of a = tanh(z): upstream dE/da times 1 - a²
    k = next(k for k, f in enumerate(sv.frames) if f.get("current") == f"n{order.index(v['a'])}" and f["phase"] == "backward")
    assert shown_number(sv.frames[k]["grad"][f"n{order.index(v['z'])}"]) == pytest.approx(v["z"].grad, rel=1e-3)
    label = sv.frames[k]["edges"][f"e{order.index(v['a'])}_0"]
    local = 1 - v["a"].data ** 2
    assert label == f"∂ {autograd.viz.num(local)}\n+= {autograd.viz.num(v['z'].grad)}"


def test_no_derivative_is_taken_with_respect_to_a_constant():
    v = neuron()
    sv = view(v["E"])
    constants = {f"n{i}" for i, u in enumerate(sv.order) if u.op is None and not u.label}
    assert constants  # the 0.5 and the 2 of the square
    for f in sv.frames:
        if f["phase"] == "backward":
            assert not constants & set(f.get("grad", {}))
            assert not constants & set(f.get("inputs", []))
    text = json.dumps(sv.frames, ensure_ascii=False)
    assert not re.search(r"[d∂]\(0\.5\)|<mo>∂</mo><mn>|d</mi><mn>", text)  # no dE/d(0.5), no ∂E/∂0.5


def test_a_value_used_twice_shows_its_gradient_accumulating():
    x = Value(3.0, "x")
    y = x * x + x  # dy/dx = 2x + 1 = 7: three uses of x
    y.label = "y"
    sv = view(y)
    arrivals = [shown_number(f["grad"]["n0"]) for f in sv.frames if "n0" in f.get("grad", {}) and f["grad"]["n0"] != "grad"]
    assert arrivals == [1.0, 7.0]  # the + sends 1; then the * sends 3 and 3, two += in one step
    panel = next(f["panel"] for f in sv.frames if "use 3 of 3: complete" in f["panel"])
    assert "use 2 of 3" in panel  # the running sum, one use at a time: 1 + 3 = 4, then 4 + 3 = 7
    assert "<mn>1</mn><mo>+</mo><mn>3</mn><mo>=</mo><mn>4</mn>" in panel
    assert "<mn>4</mn><mo>+</mo><mn>3</mn><mo>=</mo><mn>7</mn>" in panel
    partial = [f for f in sv.frames if "n0" in f.get("partial", [])]
    assert len(partial) == 1  # after one of its three uses: drawn as not complete yet


def test_the_update_step_is_gradient_descent():
    v = neuron()
    params = [v["w"], v["b"]]
    sv = view(v["E"], params=params, lr=0.1)
    v["E"].backward()
    updates = [f for f in sv.frames if f["phase"] == "update"]
    assert [f["current"] for f in updates] == [f"n{sv.order.index(p)}" for p in params]
    for f, p in zip(updates, params, strict=True):
        new = p.data - 0.1 * p.grad
        text = f["data"][f"n{sv.order.index(p)}"]
        assert text == f"data {autograd.viz.num(new)} (was {autograd.viz.num(p.data)})"
    assert p.data == -0.5  # the view shows the update; it changes nothing


def test_the_view_is_built_from_the_same_steps_as_the_text():
    v = neuron()
    sv = view(v["E"])
    backward = [f for f in sv.frames if f["phase"] == "backward"][1:]  # after "start at the output"
    assert [f["title"] for f in backward] == [f"backward: {s.expression}" for s in steps(v["E"])]


def test_panels_write_the_chain_rule_in_mathml():
    v = neuron()
    sv = view(v["E"])
    k = next(k for k, f in enumerate(sv.frames) if f.get("title") == "backward: a = tanh(z)")
    panel = sv.frames[k]["panel"]
    assert "<math>" in panel and "<mfrac>" in panel
    assert "<mn>1</mn><mo>−</mo><mi>a</mi><mo>·</mo><mi>a</mi>" in panel  # 1 - a·a, tanh's rule from the op table


@pytest.mark.parametrize("standalone", [True, False])
def test_the_page_is_self_contained(standalone):
    need_dot()
    v = neuron()
    page = view(v["E"]).to_html(standalone=standalone)
    assert ("<!DOCTYPE html>" in page) is standalone
    assert "<svg" in page and "<script>" in page and "chainruleView(" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)  # no network: nothing fetched
    assert page.count('id="n') >= 0 and re.search(r'<g id="n\d+" class="node"', page)
    data = json.loads(re.search(r"<script type=\"application/json\" class=\"crv-data\">(.*?)</script>", page, re.DOTALL)[1]
                      .replace("<\\/", "</"))  # fmt: skip
    assert len(data["frames"]) == len(view(v["E"]).frames)


def test_two_views_on_one_page_have_their_own_ids():
    need_dot()
    v = neuron()
    sv = view(v["E"])
    first, second = sv._repr_html_(), sv._repr_html_()
    ids = [re.search(r'<div class="crv" id="([^"]+)"', h)[1] for h in (first, second)]
    assert ids[0] != ids[1]
    assert f"#{ids[0]} " in first and f"#{ids[1]} " not in first  # each page's CSS is scoped to its own view


def test_steps_show_as_the_view_in_jupyter_and_as_text_in_a_terminal():
    need_dot()
    v = neuron()
    replay = steps(v["E"])
    assert "chainruleView(" in replay._repr_html_()
    assert repr(replay).startswith("<StepThrough of E: 6 steps") and "step 1 of 6" in str(replay)


def test_save_html_writes_a_standalone_page(tmp_path):
    need_dot()
    path = view(neuron()["E"]).save_html(tmp_path / "steps.html")
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_collapsed_neurons_are_one_box_each_and_their_weights_inside():
    need_dot()
    nn = pytest.importorskip("nn")
    model = nn.MLP(2, [2, 1], activation="tanh", seed=0)
    out = model([0.5, -1.0])
    E = nn.squared_error(out, 1.0)
    groups = {}
    for u in autograd.topological_order(E):  # each neuron: its weighted sum and its activation
        if u.label in ("h1", "h2", "o1"):
            groups[u] = groups[u.inputs[0]] = u.label
    sv = view(E, params=model.parameters(), lr=0.1, groups=groups, collapse=set(groups.values()))
    svg = sv.svg()
    assert svg.count('class="node"') < len([u for u in sv.order if u.op is not None or u.label])


def test_a_weight_shared_by_two_collapsed_neurons_lives_in_a_box_the_drawing_shows():
    """A parameter read only by collapsed groups is not drawn; its update step must still light a box
    (it had none when two groups read it)."""
    w, x1, x2 = Value(0.5, "w"), Value(1.0, "x1"), Value(2.0, "x2")
    h1, h2 = (w * x1).tanh(), (w * x2).tanh()
    h1.label, h2.label = "h1", "h2"
    E = h1 + h2
    groups = {h1: "h1", h1.inputs[0]: "h1", h2: "h2", h2.inputs[0]: "h2"}
    sv = view(E, params=[w], lr=0.1, groups=groups, collapse={"h1", "h2"})
    boxes = sv._data()["boxes"]
    assert boxes[sv._id(w)] in (boxes[sv._id(h1)], boxes[sv._id(h2)])


def _one_node_per_op():
    x, y, z = Value(0.5, "x"), Value(2.0, "y"), Value(-1.5, "z")
    made = {
        "+": x + y, "-": x - y, "*": x * y, "/": x / y, "neg": -x, "**": x ** 3, "pow": 2 ** x,
        "abs": abs(z), "exp": x.exp(), "log": y.log(), "sqrt": y.sqrt(), "tanh": x.tanh(),
        "sigmoid": x.sigmoid(), "relu": x.relu(), "leaky_relu": z.leaky_relu(0.1), "softplus": x.softplus(),
        "sin": x.sin(), "cos": x.cos(), "sum": autograd.sum([x, y, z]), "dot": autograd.dot([x, y], [y, z], x),
        "logsumexp": autograd.logsumexp([x, y, z]), "cross_entropy": autograd.logsumexp([x, y, z], minus=y),
    }  # fmt: skip
    return made


def test_every_op_in_the_table_is_shown_in_the_view():
    """Each op's forward step is written from the op table's own reading of the node (x ** y and 2 ** x
    included), in MathML."""
    made = _one_node_per_op()
    assert {v.op.name for v in made.values()} == set(autograd.OPS)
    for name, v in made.items():
        forward = [f for f in view(v).frames if f.get("current") and f["phase"] == "forward"][-1]
        assert "<math" in forward["panel"], name


def test_bad_arguments_are_named():
    v = neuron()
    with pytest.raises(TypeError, match="root must be a Value"):
        view(3.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="lr is given but no params"):
        view(v["E"], lr=0.1)
    with pytest.raises(ValueError, match="lr must be > 0"):
        view(v["E"], params=[v["w"]], lr=0.0)
    with pytest.raises(TypeError, match=r"params\[0\] must be a Value"):
        view(v["E"], params=[1.0])
    with pytest.raises(ValueError, match="more than max_nodes=3"):
        view(v["E"], max_nodes=3)
    assert math.isfinite(v["E"].data)


# ---------------------------------------------------------------------------------------------------
# In a real browser (headless Chromium, tests/browser.py): every JavaScript error fails the test.

_SHOWN = """() => {
  const out = {};
  document.querySelectorAll(".crv g.node").forEach((g) => {
    const texts = [...g.querySelectorAll("text")].map((t) => t.textContent);
    out[g.id] = {data: texts.find((t) => t.startsWith("data")) || "", grad: texts.find((t) => t.startsWith("grad")) || "",
                 classes: [...g.classList]};
  });
  return out;
}"""


def training_step():
    nn = pytest.importorskip("nn")
    model = nn.MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid", bias=False, seed=0)
    for p, w in zip(model.parameters(), [0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55], strict=True):
        p.data = w
    return model, nn.diagram.step_through(model, [0.05, 0.10], [0.01, 0.99], lr=0.5)


def test_the_page_steps_through_the_engines_numbers_in_a_browser(page, tmp_path):
    """Press → through every step of a 2-2-2 training step: the highlighted box, the panel and every grad
    shown are the engine's (explain.steps' replay of backward(), and backward() itself at the end)."""
    need_dot()
    model, sv = training_step()
    page.open(sv.save_html(tmp_path / "steps.html"))
    root = sv.root
    replay = steps(root)
    index = {v: i for i, v in enumerate(sv.order)}
    backward_at = {f"backward: {s.expression}": s for s in replay}
    grads: dict[str, str] = {}
    assert page.text(".crv-count") == f"1 / {len(sv)}"
    for k, frame in enumerate(sv.frames):
        if k:
            page.press("ArrowRight", ".crv")
        assert page.text(".crv-count") == f"{k + 1} / {len(sv)}"
        shown = page.evaluate(_SHOWN)
        if frame.get("current"):
            assert "crv-current" in shown[frame["current"]]["classes"], (k, frame["title"])
            assert sum("crv-current" in s["classes"] for s in shown.values()) == 1
        step = backward_at.get(frame["title"])
        if step is not None:  # the engine's += at this step, into each input's gradient
            for u in step.updates:
                if u.input.label:
                    grads[f"n{index[u.input]}"] = f"grad {autograd.viz.num(u.after)}"
            assert step.expression.split(" = ")[0] in page.text(".crv-panel")
        for box, text in grads.items():
            assert shown[box]["grad"] == text, (k, box)
    root.backward()  # the end: every grad the page shows is backward()'s
    shown = page.evaluate(_SHOWN)
    for v in sv.order:
        if v.label:
            assert shown[f"n{index[v]}"]["grad"] == f"grad {autograd.viz.num(v.grad)}", v.label
    updated = {f"n{index[p]}": p.data - 0.5 * p.grad for p in model.parameters()}
    for box, new in updated.items():
        assert shown[box]["data"].startswith(f"data {autograd.viz.num(new)} (was ")
    print("\nscreenshot:", page.screenshot("training-step-end"))


def test_keys_buttons_slider_and_play(page, tmp_path):
    need_dot()
    _, sv = training_step()
    page.open(sv.save_html(tmp_path / "steps.html"))
    n = len(sv)
    page.press("End", ".crv")
    assert page.text(".crv-count") == f"{n} / {n}"
    page.press("ArrowLeft", ".crv")
    page.press("p", ".crv")
    assert page.text(".crv-count") == f"{n - 2} / {n}"
    page.press("Home", ".crv")
    assert page.text(".crv-count") == f"1 / {n}"
    page.click('.crv [data-act="next"]')
    page.click('.crv [data-act="next"]')
    page.click('.crv [data-act="prev"]')
    assert page.text(".crv-count") == f"2 / {n}"
    page.set_value(".crv-slider", "20")
    assert page.text(".crv-count") == f"21 / {n}" and sv.frames[20]["title"].split(": ")[0] in page.text(".crv-panel")
    page.press(" ", ".crv")  # play: a step about every 0.9 s
    page.wait_for("document.querySelector('.crv-count').textContent.startsWith('23 ')", timeout_ms=5000)
    page.press(" ", ".crv")  # pause
    stopped = page.text(".crv-count")
    page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 1200))")
    assert page.text(".crv-count") == stopped
    page.press("ArrowLeft", ".crv-slider")  # on the slider the arrows move the slider itself
    assert page.text(".crv-count") != stopped


# Jupyter Notebook 7 (Lumino) handles its shortcuts on the document in the capture phase and stops them
# there: a view that listened on itself never heard an arrow key (seen in Notebook 7.5; JupyterLab listens in
# the bubbling phase). This stands in for it.
_NOTEBOOK_7_SHORTCUTS = """() => { window.jupyterSaw = [];
  document.addEventListener("keydown", (e) => { window.jupyterSaw.push(e.key); e.stopPropagation(); }, true); }"""


def test_keys_reach_the_view_before_jupyters_shortcuts(page, tmp_path):
    need_dot()
    _, sv = training_step()
    page.open(sv.save_html(tmp_path / "steps.html"))
    page.evaluate(_NOTEBOOK_7_SHORTCUTS)
    page.press("ArrowRight", ".crv")
    page.press("ArrowRight", ".crv")
    assert page.text(".crv-count") == f"3 / {len(sv)}"
    page.press("x", ".crv")  # not the view's: Jupyter's to handle
    page.press("ArrowRight", ".crv-slider")  # the slider moves itself, and Jupyter does not move a cell
    assert page.text(".crv-count") == f"4 / {len(sv)}"
    assert page.evaluate("() => window.jupyterSaw") == ["x"]


def test_a_collapsed_neuron_opens_on_a_click(page, tmp_path):
    need_dot()
    nn = pytest.importorskip("nn")
    model = nn.MLP(2, [4, 4, 1], seed=0)
    sv = nn.diagram.step_through(model, [0.5, -1.0], 1.0, lr=0.1)  # 9 neurons: drawn collapsed
    assert sv.collapse
    page.open(sv.save_html(tmp_path / "steps.html"))
    box = next(iter(sv._data()["inside"]))
    page.press("End", ".crv")
    page.click(f"#{box}")
    assert "inside this neuron" in page.text(".crv-panel") and "net_h1" in page.text(".crv-panel")
    page.click(f"#{box}")
    assert "inside this neuron" not in page.text(".crv-panel")
    print("\nscreenshot:", page.screenshot("collapsed"))


def test_the_view_survives_nbconvert_and_two_views_step_on_their_own(page, tmp_path):
    need_dot()
    nbformat = pytest.importorskip("nbformat")
    from .browser import export_notebook

    code = (
        "from autograd import Value\nfrom autograd.view import view\n"
        "w, x = Value(0.5, 'w'), Value(2.0, 'x')\ny = (w * x).tanh(); y.label = 'y'\nview(y)"
    )
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code), nbformat.v4.new_code_cell("view(y * y)")])
    path = tmp_path / "views.ipynb"
    nbformat.write(nb, path)
    page.open(export_notebook(path, tmp_path, execute=True))
    assert page.count(".crv") == 2
    page.press("ArrowRight", ".crv >> nth=0")
    page.press("ArrowRight", ".crv >> nth=0")
    page.press("End", ".crv >> nth=1")
    counts = page.evaluate("() => [...document.querySelectorAll('.crv-count')].map((c) => c.textContent)")
    assert counts[0].startswith("3 / ") and counts[1].split(" / ")[0] == counts[1].split(" / ")[1]
    print("\nscreenshot:", page.screenshot("notebook"))


def test_per_step_response_is_printed(page, tmp_path, capsys):
    """A benchmark, not a timed test: the figures are printed (make bench reports them too)."""
    need_dot()
    nn = pytest.importorskip("nn")
    _, small = training_step()
    model = nn.MLP(2, [4, 4, 1], seed=0)
    big = nn.diagram.step_through(model, [[0.1, 0.2], [0.5, -0.3], [-0.7, 0.4], [0.9, 0.9]], [1.0, -1.0, 1.0, -1.0])
    for name, sv in (("2-2-2 training step", small), ("MLP(2, [4, 4, 1]), 4 samples", big)):
        page.open(sv.save_html(tmp_path / "steps.html"))
        timings = page.step_response(".crv", ["ArrowRight"] * 20 + ["End", "Home"])
        frames = sorted(t.frame for t in timings)
        with capsys.disabled():
            print(f"\n{name}: {len(sv)} steps; per step, key to next frame: median {frames[len(frames) // 2]:.1f} ms, "
                  f"max {frames[-1]:.1f} ms")
