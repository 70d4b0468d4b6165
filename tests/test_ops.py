"""Every op in the table against PyTorch float64 and against central finite differences."""

from __future__ import annotations

import math
import random

import pytest

import autograd
from autograd import OPS, Value, gradcheck
from autograd.ops import power

from .oracles import CASES, POW_EXPONENTS, Case, Precise, ulp_distance

N_CASES = 400  # random cases per op against PyTorch (0-dim tensors, as a learner would compare)


def test_every_op_has_a_case():
    assert CASES.keys() == OPS.keys()


def _ours(fn, xs, g):
    leaves = [Value(x) for x in xs]
    out = fn(*leaves)
    out.backward(g)
    return out.data, [v.grad for v in leaves]


def _theirs(torch, fn, xs, g):
    leaves = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    out = fn(*leaves)
    out.backward(torch.tensor(g, dtype=torch.float64))
    return out.item(), [0.0 if t.grad is None else t.grad.item() for t in leaves]


def _precise(fn, xs):
    import mpmath

    with mpmath.workdps(40):
        return float(fn(*[Precise(x) for x in xs]).v)


def _precise_partial(fn, xs, i):
    import mpmath

    with mpmath.workdps(40):
        return float(mpmath.diff(lambda *ys: fn(*[Precise(y) for y in ys]).v, xs, tuple(int(j == i) for j in range(len(xs)))))


def _compare(name: str, case: Case, fn, xs, g, torch, stats):
    ours, our_grads = _ours(fn, xs, g)
    theirs, their_grads = _theirs(torch, fn, xs, g)
    where = f"{name} at {xs!r} with upstream gradient {g!r}"
    if case.exact_forward:
        truth = _precise(case.fn, xs)
        assert ulp_distance(ours, truth) <= case.forward_ulp, f"forward {where}: {ours!r}, truth {truth!r}"
        near = 4 * math.ulp(max(map(abs, xs)))  # PyTorch's rounding: an ulp or so of the largest input
        assert math.isclose(ours, theirs, rel_tol=1e-13, abs_tol=near), f"forward {where}: {ours!r} vs {theirs!r}"
        for i, (a, b) in enumerate(zip(our_grads, their_grads, strict=True)):
            true = g * _precise_partial(case.fn, xs, i)
            # exp(x - out): out and x - out rounded, an ulp of |x| in the exponent: 1e-14 relative here. The
            # target's own logit gets g·softmax_c - g, as in PyTorch: when softmax_c ≈ 1 that difference
            # carries an ulp or two of |g| (the cancellation is in the chain rule, both engines alike).
            cancel = 4 * math.ulp(abs(g))
            assert math.isclose(a, true, rel_tol=1e-13, abs_tol=cancel), f"d/d input {i}, {where}: {a!r}, truth {true!r}"
            assert math.isclose(a, b, rel_tol=1e-13, abs_tol=cancel), f"d/d input {i}, {where}: {a!r} vs {b!r}"
            stats["exact" if a == b else "close"] += 1
        return
    if case.forward_ulp >= 0:
        # Arithmetic ops: IEEE correctly rounded on both sides, so equal. Transcendentals: libm here,
        # PyTorch's kernels there, both within an ulp or two of the true value.
        assert ulp_distance(ours, theirs) <= case.forward_ulp, f"forward {where}: {ours!r} vs {theirs!r}"
    else:
        # n-ary: PyTorch adds in vector lanes, we add left to right; each sum is within n/2 ulp-ish of exact.
        assert math.isclose(ours, theirs, rel_tol=1e-14, abs_tol=1e-14), f"forward {where}"
    same_forward = ours == theirs or (math.isnan(ours) and math.isnan(theirs))
    for i, (a, b) in enumerate(zip(our_grads, their_grads, strict=True)):
        if (same_forward and case.exact_backward) or case.forward_ulp < 0:
            # The rule is written in PyTorch's arithmetic order: from equal inputs, equal bits.
            assert a == b or (math.isnan(a) and math.isnan(b)), f"d/d input {i}, {where}: {a!r} vs {b!r}"
            stats["exact"] += 1
        else:
            # The forward (or tanh's fused multiply-add) differs by an ulp or two; a rule that uses `out`
            # carries that difference, amplified at most by 1/(1 - out) ≈ e^10 on these domains.
            assert math.isclose(a, b, rel_tol=1e-11, abs_tol=1e-300), f"d/d input {i}, {where}: {a!r} vs {b!r}"
            stats["close"] += 1


@pytest.mark.parametrize("name", sorted(CASES))
def test_op_agrees_with_pytorch(name, torch):
    case = CASES[name]
    rng = random.Random(f"pytorch-{name}")
    stats = {"exact": 0, "close": 0}
    for _ in range(N_CASES):
        xs, fn = case.sample(rng), case.fn
        if name == "**":
            n = rng.choice(POW_EXPONENTS)
            xs = [abs(xs[0]) + 0.01] if n != int(n) or n < 0 else xs
            fn = lambda a, n=n: a**n
        _compare(name, case, fn, xs, rng.uniform(-3.0, 3.0), torch, stats)
    if case.forward_ulp == 0 and case.exact_backward:
        assert stats["close"] == 0
    if case.exact_backward:  # where only the libm forward differs, most cases still agree to the bit
        assert stats["exact"] >= stats["close"], stats


def test_number_base_to_a_value_power_agrees_with_pytorch(torch):  # rpow: 2 ** x
    rng = random.Random("rpow")
    for _ in range(N_CASES):
        base, x, g = rng.choice([2.0, 0.5, 3.7, 10.0]), rng.uniform(-5.0, 5.0), rng.uniform(-2.0, 2.0)
        ours, (gx,) = _ours(lambda e, base=base: base**e, [x], g)
        theirs, (tx,) = _theirs(torch, lambda e, base=base: torch.pow(base, e), [x], g)
        assert ulp_distance(ours, theirs) <= 1  # libm pow vs PyTorch's
        assert math.isclose(gx, tx, rel_tol=1e-14)  # g * (out * log base): out differs by <= 1 ulp


SPECIAL = [0.0, -0.0, 1.0, -1.0, 1e-300, -1e-300, 1e300, -1e300, 710.0, -710.0, 1e308, -1e308, 20.0, 21.0]


@pytest.mark.parametrize("name", [n for n, op in sorted(OPS.items()) if op.arity == 1])
def test_unary_ops_at_special_values_match_pytorch(name, torch):
    """Kinks (relu'(0) = abs'(0) = 0), overflow (inf, not an exception), infinite derivatives (sqrt at 0)."""
    fns = [CASES[name].fn] if name != "**" else [lambda a, n=n: a**n for n in POW_EXPONENTS]
    for fn in fns:
        for x in SPECIAL:
            try:
                ours, (gx,) = _ours(fn, [x], 1.0)
            except (ValueError, ZeroDivisionError):
                continue  # outside the op's domain: tested in test_value's error tests
            theirs, (tx,) = _theirs(torch, fn, [x], 1.0)
            assert ulp_distance(ours, theirs) <= 2, f"{name}({x!r}): {ours!r} vs {theirs!r}"
            if math.isfinite(tx) and tx != 0.0:
                assert math.isclose(gx, tx, rel_tol=1e-12), f"{name}'({x!r}): {gx!r} vs {tx!r}"
            else:  # inf, -inf, nan or zero: the same special value
                assert gx == tx or (math.isnan(gx) and math.isnan(tx)), f"{name}'({x!r}): {gx!r} vs {tx!r}"


def test_square_root_kinds_at_zero_give_infinite_gradients_like_pytorch(torch):
    for fn in (lambda a: a.sqrt(), lambda a: a**0.5):
        _, (gx,) = _ours(fn, [0.0], 1.0)
        _, (tx,) = _theirs(torch, fn, [0.0], 1.0)
        assert gx == tx == math.inf


@pytest.mark.parametrize("name", sorted(CASES))
def test_op_agrees_with_finite_differences(name):
    """No PyTorch needed: the suite still checks every rule where PyTorch is absent."""
    case = CASES[name]
    rng = random.Random(f"fd-{name}")
    for _ in range(25):
        xs = case.sample(rng)
        if name in ("relu", "leaky_relu", "abs"):
            xs = [x if abs(x) > 1e-3 else 0.5 for x in xs]  # central differences straddle the kink
        if name == "**":
            for n in POW_EXPONENTS:
                gradcheck(lambda a, n=n: a**n, abs(xs[0]) + 0.1, atol=1e-6, rtol=1e-6)
            continue
        # eps = 1e-6: truncation error O(eps²·f''') ≈ 1e-12, rounding O(ulp/eps) ≈ 1e-10
        assert gradcheck(case.fn, *xs, eps=1e-6, atol=1e-6, rtol=1e-6)


def test_each_rule_in_three_forms_gives_the_same_number():
    """The float rule, its IEEE fallback and the Value rule are compiled from one string: same results."""
    rng = random.Random("three-forms")
    for name, op in OPS.items():
        if op.arity is None:
            continue
        case = CASES[name]
        if op.params:
            op = op.bind(**dict.fromkeys(op.params, 3.0 if name == "**" else 0.1))
        for _ in range(20):
            xs = case.sample(rng)
            out = op.forward(*xs)
            g = rng.uniform(-2.0, 2.0)
            fast = op.backward(g, *xs, out)
            via_values = op.backward_values(g, *[Value(x) for x in xs], Value(out))
            assert [float(v) for v in via_values] == list(fast), name


def test_power_follows_pytorch_special_cases():
    x = 1.1
    assert power(x, 2.0) == x * x
    assert power(x, 3.0) == x * x * x
    assert power(x, -1.0) == 1.0 / x
    assert power(x, 0.5) == math.sqrt(x)
    with pytest.raises(ZeroDivisionError):
        power(0.0, -1.0)
    with pytest.raises(ValueError):
        power(-8.0, 1.0 / 3.0)


def test_sigmoid_and_softplus_never_overflow():
    for x in (1e308, -1e308, 710.0, -710.0, 1e5, -1e5):
        s = Value(x).sigmoid()
        sp = Value(x).softplus()
        assert 0.0 <= s.data <= 1.0
        assert sp.data >= 0.0 and math.isfinite(sp.data)
        s.backward()
        sp.backward()


def test_sum_and_dot_are_one_node_each():
    xs = [Value(float(i)) for i in range(10)]
    assert len(autograd.topological_order(autograd.sum(xs))) == 11
    assert len(autograd.topological_order(autograd.dot(xs[:5], xs[5:]))) == 11
    python_sum = sum(xs)  # Python's sum makes a chain of + nodes, plus the 0 it starts from
    assert len(autograd.topological_order(python_sum)) == 10 + 10 + 1


def test_dot_checks_its_arguments():
    with pytest.raises(ValueError, match="as many weights as inputs, got 2 weights and 3 inputs"):
        autograd.dot([Value(1.0), Value(2.0)], [1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="dot\\(..., xs\\) must hold Values or numbers, got str"):
        autograd.dot([Value(1.0)], ["1"])
    with pytest.raises(TypeError, match="dot bias"):
        autograd.dot([Value(1.0)], [1.0], bias="b")


def test_formulas_are_the_rules_with_unit_gradient_as_a_learner_writes_them():
    assert OPS["sigmoid"].formula(0) == "(1 - out) * out"
    assert OPS["*"].formula(0) == "b" and OPS["*"].formula(1) == "a"
    assert OPS["tanh"].formula(0) == "1 - out * out"  # the fused multiply-add, shown as its arithmetic
    assert OPS["**"].formula(0) == "0 if n == 0 else n * a ** (n - 1)"
    assert OPS["pow"].formula(1) == "0 if a == 0 and b >= 0 else out * log(a)"
    assert [OPS["dot"].formula(i, 5) for i in range(5)] == ["x1", "x2", "w1", "w2", "1"]
    with pytest.raises(TypeError, match="say how many"):
        OPS["sum"].formula(0)


def test_every_op_prints_the_code_it_runs():
    """The chain rule is visible: `accumulate`, generated from the rule strings, reads as micrograd's
    hand-written _backward, and is the code the engine runs (compiled from this very text)."""
    mul = OPS["*"].source
    assert "    va, vb = inputs\n    a = va.data; b = vb.data\n    va.grad += g * b\n    vb.grad += g * a\n" in mul
    assert "except (ArithmeticError, ValueError)" in OPS["/"].source  # b = 0: the IEEE fallback
    assert "for vw, vx in zip(ws, xs):\n        vw.grad += g * vx.data" in OPS["dot"].source
    for op in OPS.values():
        assert "def accumulate(g, inputs, out):" in op.source and ".grad +=" in op.source


@pytest.mark.parametrize("name", ["sum", "dot", "logsumexp", "cross_entropy", "*", "tanh"])
def test_higher_order_runs_only_the_wanted_rules(name):
    """On Values (grad of grad), an input that does not depend on the argument gets None and no rule runs
    for it: no Value is made (a first layer's dot has k inputs x that need no g · w)."""
    from autograd import value

    op = OPS[name]
    n = op.arity or 5
    xs = [Value(0.1 * (i + 1)) for i in range(n)]
    out = Value(op.forward(*(x.data for x in xs)) if op.arity else 0.5)
    g = Value(1.0)
    start = value._next_seq()
    got = op.backward_values(g, *xs, out, wanted=[False] * n)
    assert got == (None,) * n and value._next_seq() == start + 1, name  # no Value made in between
    got = op.backward_values(g, *xs, out, wanted=[i == 0 for i in range(n)])
    assert got[0] is not None and all(gx is None for gx in got[1:])


def test_bound_ops_are_cached_and_show_their_metadata():
    a = OPS["**"].bind(n=2.0)
    assert OPS["**"].bind(n=2) is a
    assert repr(a) == "Op('**', n=2.0)"
    assert a.params == {"n": 2.0}


def test_every_name_a_rule_calls_has_a_value_version():
    """Rules run on Values for higher derivatives: each function they call must exist for Values."""
    import ast

    from autograd.ops import FLOAT_NAMES, VALUE_NAMES

    for op in OPS.values():
        for rule in op.rules:
            called = {n.id for n in ast.walk(ast.parse(rule, mode="eval")) if isinstance(n, ast.Name)}
            functions = {n for n in called if callable(FLOAT_NAMES.get(n))}
            assert functions <= VALUE_NAMES.keys(), (op.name, functions - VALUE_NAMES.keys())


@pytest.mark.parametrize("n", [1, 4, 5])
def test_nary_rule_strings_say_what_the_engine_computes(n):
    """sum and dot run hand-written code; their rule strings (for formulas, compiled mode) must match it."""
    rng = random.Random(n)
    for name in ("sum", "dot"):
        op = OPS[name]
        xs = [rng.uniform(-2.0, 2.0) for _ in range(n)]  # for dot: pairs (w, x), and a bias when n is odd
        out, g = op.forward(*xs), rng.uniform(-2.0, 2.0)
        scope = dict(zip(op.input_names(n), xs, strict=True)) | {"g": g, "out": out}
        from_strings = [eval(rule, {}, scope) for rule in op.rules_for(n)]  # our own rule strings
        assert from_strings == list(op.backward(g, *xs, out))


@pytest.mark.parametrize("name", sorted(OPS))
def test_accumulate_adds_exactly_what_backward_returns(name):
    """The engine's step (accumulate) and the list of gradients (backward, which explanations show) are
    one rule: from the same grads, += of backward's numbers in input order gives accumulate's bits."""
    rng = random.Random(f"accumulate-{name}")
    case = CASES[name]
    op = {"**": OPS["**"].bind(n=-0.5), "leaky_relu": OPS["leaky_relu"].bind(slope=0.01)}.get(name, OPS[name])
    for k in range(200):
        xs = case.sample(rng) if name != "**" else [abs(case.sample(rng)[0])]
        if k % 10 == 0:
            xs = [0.0] * len(xs)  # rules that divide or take a log of 0: the IEEE fallback
        g = 0.0 if k % 7 == 0 else rng.uniform(-3.0, 3.0)  # g = 0: dot sends nothing, others send zeros
        try:
            out = op.forward(*xs)
        except (ArithmeticError, ValueError):
            continue
        inputs = [Value(x) for x in xs]
        if k % 3 == 0 and len(inputs) > 1:
            inputs[-1] = inputs[0]  # an input given twice gets both contributions, in order
            xs[-1] = xs[0]
            out = op.forward(*xs)
        starts = [rng.uniform(-1.0, 1.0) for _ in inputs]
        for x, s in zip(inputs, starts, strict=True):
            x.grad = s
        want = {x: x.grad for x in inputs}
        for x, gx in zip(inputs, op.backward(g, *[v.data for v in inputs], out), strict=True):
            want[x] += gx
        op.accumulate(g, inputs, out)
        for x in inputs:
            assert x.grad == want[x] or (math.isnan(x.grad) and math.isnan(want[x])), (name, xs, g)


def test_ieee_edges_agree_with_pytorch(torch):
    """Underflow, abs at nan: the forward and the gradient PyTorch gives."""
    for x, f in ((1e-200, lambda a: a**-2), (1e-170, lambda a: a**-2), (-1e-200, lambda a: a**-2),
                 (5e-324, lambda a: a**-1), (float("nan"), lambda a: abs(a))):  # fmt: skip
        ours, (g,) = _ours(f, [x], 1.0)
        theirs, (want,) = _theirs(torch, f, [x], 1.0)
        assert ours == theirs or math.isnan(ours) and math.isnan(theirs), (x, ours, theirs)
        assert g == want or math.isnan(g) and math.isnan(want), (x, g, want)


def test_tanh_gradient_is_pytorchs_bit_for_bit_near_saturation(torch):
    """1 - out·out rounded once (PyTorch's fused kernel); rounded twice it is thousands of ulp off there."""
    rng = random.Random("tanh-saturation")
    exact = 0
    for _ in range(400):
        x = rng.choice((-1, 1)) * rng.uniform(5.0, 19.0)
        if math.tanh(x) != torch.tanh(torch.tensor(x, dtype=torch.float64)).item():
            continue
        _, (g,) = _ours(lambda a: a.tanh(), [x], 1.0)
        _, (want,) = _theirs(torch, lambda a: a.tanh(), [x], 1.0)
        assert g == want, (x, g, want)
        exact += 1
    assert exact > 300


def test_adding_an_op_as_architecture_md_says_needs_one_table_line():
    """ARCHITECTURE.md's recipe, step 1: an entry made the way the table makes them gets every form
    (forward, rules, the engine's step, Values, formula) right, checked here by finite differences."""
    from autograd.ops import FLOAT_NAMES, IEEE_NAMES

    FLOAT_NAMES["atan"] = IEEE_NAMES["atan"] = math.atan  # as a literal entry of FLOAT_NAMES would put it
    try:
        atan = autograd.ops.Op("atan", "atan(a)", ("g / (1.0 + a * a)",))
        x = Value(0.7)
        y = autograd.value._unary(atan, x)
        y.backward()
        numeric = (math.atan(0.7 + 1e-6) - math.atan(0.7 - 1e-6)) / 2e-6
        assert y.data == math.atan(0.7) and math.isclose(x.grad, numeric, rel_tol=1e-8)
        assert atan.formula(0) == "1 / (1 + a * a)" and "va.grad += ga" in atan.source
        assert autograd.grad(lambda v: autograd.value._unary(atan, v))(0.7) == x.grad
    finally:
        del FLOAT_NAMES["atan"], IEEE_NAMES["atan"]
