# Checks of notebooks/01_a_value_remembers.ipynb, run in its kernel after its last cell (tests/test_notebooks.py).
# The oracle: exact rational arithmetic (fractions.Fraction) on L = (a·b + c)·f, differentiated by hand.
from fractions import Fraction as _F

from autograd.exercises import check_gradient as _check_gradient
from autograd.exercises import check_local as _check_local
from autograd.exercises import check_update as _check_update

_a, _b, _c, _f = _F(2), _F(-3), _F(10), _F(-2)
_e = _a * _b
_d = _e + _c
_L = _d * _f
assert (e.data, d.data, L.data) == (_e, _d, _L) == (-6, 4, -8), "forward values e, d, L"

# dL/dv by hand: L = d·f, d = e + c, e = a·b
_grads = {"L": _F(1), "d": _f, "f": _d, "e": _f, "c": _f, "a": _f * _b, "b": _f * _a}
for _v in (L, d, f, e, c, a, b):
    assert _v.grad == _grads[_v.label], f"dL/d{_v.label}: {_v.grad} != {_grads[_v.label]}"
assert (_grads["a"], _grads["b"], _grads["c"], _grads["f"]) == (6, -4, -2, 4), "the numbers the prose quotes"
assert all(v.grad == mine for v, mine in by_hand.items()), "the by-hand column"


# The promise: L is linear in each leaf, so the nudge changes L by exactly dL/dv · h (exact arithmetic);
# the float differences the cell prints agree to its 6 decimals.
def _L_exact(a, b, c, f):
    return (a * b + c) * f


_h = _F(1, 1000)
_start = {"a": _a, "b": _b, "c": _c, "f": _f}
for _name, _value in _start.items():
    _nudged = dict(_start, **{_name: _value + _h})
    _change = _L_exact(**_nudged) - _L_exact(**_start)
    assert _change == _grads[_name] * _h, f"nudging {_name}"
    _float_change = L_of(**dict(start, **{_name: start[_name] + h})) - L_of(**start)
    assert abs(_float_change - float(_change)) < 5e-7, f"printed change for {_name}"

# One step against the gradient with lr = 0.01: L from -8 to -8.726304 ("about -8.73")
_lr = _F(1, 100)
_new = {k: v - _lr * _grads[k] for k, v in _start.items()}
_L_new = _L_exact(**_new)
assert _L_new == _F(-8726304, 10**6), _L_new
assert round(float(_L_new), 2) == -8.73 and _L_new < _L
assert all(abs(new[k] - float(_new[k])) < 1e-12 for k in _new), "the step's new leaves"
assert abs(L_of(**new) - float(_L_new)) < 1e-12

# The exercises: their answers are the exact ones, and the slip is caught as a missing link
assert _check_local(e, b, float(_a)).correct, "∂e/∂b = a = 2"
assert _check_gradient(b, L, float(_f * _a)).correct, "dL/db = f·a = -4"
_slip = _check_gradient(b, L, float(_a))
assert _slip.kind == "missing_link" and not _slip.correct, _slip
assert _check_update(b, 0.01, float(_b - _lr * _grads["b"])).correct, "b - 0.01·(-4) = -2.96"
assert _b - _lr * _grads["b"] == _F(-296, 100)
