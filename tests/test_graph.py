"""The backward pass: order, repeated calls, depth, total derivative, random graphs against PyTorch."""

from __future__ import annotations

import gc
import math
import random

import pytest

import autograd
from autograd import Value, topological_order

from .oracles import agreement, precise_derivative, random_program, softplus


def test_topological_order_puts_inputs_first_and_is_deterministic():
    def build():
        a, b = Value(1.0, "a"), Value(2.0, "b")
        c = a * b
        d = c + a
        e = d * c
        return e

    e = build()
    order = topological_order(e)
    position = {v: i for i, v in enumerate(order)}
    assert order[-1] is e and len(order) == len(set(order))
    for v in order:
        assert all(position[x] < position[v] for x in v.inputs)
    shape = lambda o: [(v.op.name if v.op else v.label) for v in o]
    assert shape(order) == shape(topological_order(build()))


def test_repeated_backward_matches_pytorch_leaves_accumulate_intermediates_recompute(torch):
    a = Value(2.0)
    b = a * a
    c = b * b
    c.backward()
    c.backward()
    ta = torch.tensor(2.0, requires_grad=True)
    tc = (ta * ta) * (ta * ta)
    tc.backward(retain_graph=True)
    tc.backward()
    assert a.grad == ta.grad.item() == 64.0
    assert b.grad == 2 * b.data  # recomputed, not 16: d c/d b = 2b


def test_a_value_used_twice_gets_both_contributions():
    a = Value(3.0)
    b = a + a  # naive recursion that sets instead of adds would give 1
    c = b + b
    c.backward()
    assert a.grad == 4.0 and b.grad == 2.0


def test_backward_seed_scales_and_a_bad_seed_changes_nothing():
    x = Value(3.0)
    y = x * x
    y.backward(0.5)
    assert x.grad == 3.0
    for bad in ("1", None, [1.0]):
        with pytest.raises(TypeError, match="seed must be a real number"):
            y.backward(bad)
        assert x.grad == 3.0 and y.grad == 0.5


def test_a_million_ops_deep_goes_forward_and_backward_without_recursion_error():
    x = Value(0.3)
    y = x
    for _ in range(1_000_000):
        y = y.tanh()
    y.backward()
    # the same chain on floats: dy/dx = Π (1 - tanh²)
    t, slope = 0.3, 1.0
    for _ in range(1_000_000):
        t = math.tanh(t)
        slope *= 1.0 - t * t
    assert y.data == t
    assert math.isclose(x.grad, slope, rel_tol=1e-9)  # the rule multiplies in the other order


def test_a_dropped_graph_is_freed_by_reference_counting_not_the_cyclic_collector():
    gc.collect()
    gc.disable()
    try:
        x = Value(1.0)
        y = x
        for _ in range(1000):
            y = (y * 0.5 + 0.1).tanh()
        y.backward()
        del y
        assert gc.collect() == 0  # nothing unreachable was left for the collector: no reference cycles
    finally:
        gc.enable()


UNARY = [
    lambda a: a.tanh(), lambda a: a.sigmoid(), lambda a: a.sin(), lambda a: a.cos(), lambda a: a.relu(),
    lambda a: abs(a), softplus, lambda a: -a, lambda a: a**2, lambda a: a.tanh().exp(),
    lambda a: (a * a + 1).log(), lambda a: (a * a + 0.5).sqrt(), lambda a: a**3,
]  # fmt: skip
BINARY = [
    lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / (b * b + 1),
    lambda a, b: (a * a + 0.1) ** b.tanh(),
]  # fmt: skip


def _random_graph(rng: random.Random, leaves):
    """Ops on randomly chosen earlier nodes: shared subexpressions and several paths per leaf."""
    nodes = list(leaves)
    for _ in range(rng.randint(5, 30)):
        if rng.random() < 0.5:
            nodes.append(rng.choice(UNARY)(rng.choice(nodes)))
        else:
            nodes.append(rng.choice(BINARY)(rng.choice(nodes), rng.choice(nodes)))
    picks = [nodes[-1], *rng.sample(nodes, min(3, len(nodes)))]
    root = picks[0]
    for p in picks[1:]:
        root = root + p
    return root


def test_random_graphs_with_shared_subexpressions_agree_with_pytorch(torch):
    for seed in range(300):
        xs = [random.Random(seed).uniform(-2.0, 2.0) for _ in range(3)]
        xs = [x + 0.1 * i for i, x in enumerate(xs)]
        ours = [Value(x) for x in xs]
        theirs = [torch.tensor(x, requires_grad=True) for x in xs]
        root = _random_graph(random.Random(seed), ours)
        troot = _random_graph(random.Random(seed), theirs)
        root.backward()
        troot.backward()
        # libm vs PyTorch transcendentals differ by an ulp or two per op; through <= 30 ops that stays
        # far below 1e-9 relative
        assert math.isclose(root.data, troot.item(), rel_tol=1e-9, abs_tol=1e-12), seed
        for v, t in zip(ours, theirs, strict=True):
            expected = 0.0 if t.grad is None else t.grad.item()
            assert math.isclose(v.grad, expected, rel_tol=1e-9, abs_tol=1e-9), (seed, v.grad, expected)


def test_backward_writes_no_nan_for_a_graph_whose_forward_succeeded_except_as_pytorch_does(torch):
    x = Value(0.0)
    y = x.sqrt() * 0.0  # d/dx = 0 * 1/(2√0) = 0 * inf = nan, as in PyTorch
    y.backward()
    tx = torch.tensor(0.0, requires_grad=True)
    (tx.sqrt() * 0.0).backward()
    assert math.isnan(x.grad) and math.isnan(tx.grad.item())


def test_topological_order_of_a_leaf_is_itself():
    x = Value(1.0)
    assert topological_order(x) == [x]
    x.backward()
    assert x.grad == 1.0


def test_backward_on_a_leaf_sets_its_grad():
    x = Value(2.0)
    x.backward()
    assert x.grad == 1.0


def test_backward_on_a_result_made_without_a_graph_raises_and_changes_nothing():
    """PyTorch: "element 0 of tensors does not require grad and does not have a grad_fn"."""
    x = Value(2.0)
    with autograd.no_grad():
        y = x * 3
    with pytest.raises(RuntimeError, match=r"computed inside no_grad\(\)"):
        y.backward()
    assert (x.grad, y.grad) == (0.0, 0.0)
    z = y * x  # a graph again: y is a constant in it, as a tensor without requires_grad in PyTorch
    z.backward()
    assert x.grad == 6.0


def test_random_graphs_agree_with_pytorch_float64(torch):
    """A seeded fuzz: 400 random graphs (every op, shared sub-expressions, Value exponents, constants).

    Each leaf's gradient is compared with PyTorch's: the same bits where the rules' arithmetic decides,
    within 1e-12 where a libm forward differs by an ulp, and otherwise as near the 40-digit truth as
    PyTorch's (an ill-conditioned function amplifies an ulp). A zero of the other sign is counted apart:
    a leaf's grad starts at +0.0 here, at None in PyTorch, so contributions summing to -0.0 read +0.0.
    """
    rng = random.Random("fuzz-first-order")
    counts = dict.fromkeys(("exact", "sign", "close", "amplified", "mismatch"), 0)
    for _ in range(400):
        program = random_program(rng, n_leaves=rng.randint(1, 4), n_steps=rng.randint(4, 16))
        xs = [Value(x) for x in program.leaves]
        program.run(xs).backward()
        ts = [torch.tensor(x, requires_grad=True) for x in program.leaves]
        theirs = torch.autograd.grad(program.run(ts), ts, allow_unused=True)
        for i, (x, t) in enumerate(zip(xs, theirs, strict=True)):
            orders = tuple(int(j == i) for j in range(len(xs)))
            want = 0.0 if t is None else t.item()
            kind = agreement(x.grad, want, lambda o=orders, p=program: precise_derivative(p, o))
            counts[kind] += 1
            assert kind != "mismatch", (program, i, x.grad, want)
            assert kind != "sign" or (x.grad, want) == (0.0, -0.0)
    print(counts)
    assert counts["exact"] >= 0.9 * sum(counts.values()), counts


def test_threads_backpropagating_at_once_leave_the_collector_as_they_found_it():
    """The collector is paused during backward; two threads must not leave it off for good (the
    enable/disable pair used to race), nor turn it on when the program had turned it off."""
    import threading

    def work():
        for _ in range(300):
            x = Value(1.5)
            y = x
            for _ in range(30):
                y = (y * 0.5).tanh() + x
            y.backward()

    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert gc.isenabled() is enabled
    gc.enable()


def test_backward_checks_its_arguments():
    for bad in (3.0, None, "y", [Value(1.0)]):
        with pytest.raises(TypeError, match="root must be a Value"):
            autograd.backward(bad)
        with pytest.raises(TypeError, match="root must be a Value"):
            topological_order(bad)
    for bad in ("1", None, True, 1 + 0j):
        with pytest.raises(TypeError, match="seed must be a real number"):
            Value(1.0).backward(bad)


def test_intermediate_gradients_keep_the_sign_of_zero_as_pytorch(torch):
    """An intermediate's grad starts at -0.0, the additive identity, so it is the plain sum of what it
    receives, as PyTorch's first "set" then "add" (here d/dm of m·(-0.0) = -0.0, then +0.0 from the sum)."""
    x = Value(2.0)
    m = x * 3.0
    y = m * -0.0
    y.backward()
    t = torch.tensor(2.0, requires_grad=True)
    tm = t * 3.0
    tm.retain_grad()
    (tm * -0.0).backward()
    assert math.copysign(1.0, m.grad) == math.copysign(1.0, tm.grad.item()) == -1.0
    # A leaf's grad starts at +0.0 (PyTorch's at None): +0.0 + -0.0 is +0.0, PyTorch's leaf reads -0.0.
    assert (x.grad, t.grad.item()) == (0.0, -0.0) and math.copysign(1.0, x.grad) == 1.0
