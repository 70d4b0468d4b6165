"""gradcheck: passes true gradients, names the input when one is wrong."""

from __future__ import annotations

import math

import pytest

import autograd
from autograd import Value, gradcheck
from autograd.check import GradcheckError, numerical_grad

from .probe import Call, ids, np, refused, sweep


def test_gradcheck_passes_a_correct_function():
    assert gradcheck(lambda x, y: (x * y).tanh() / (y * y + 1), 0.3, -1.2)


def test_gradcheck_names_the_input_and_both_numbers_when_a_gradient_is_wrong():
    # detach hides a path from backward, but the finite difference sees it: a deliberately wrong gradient
    # f = x y + y·stop(y): backward sees d/dy = x + y = 5, the difference quotient x + 2y = 7
    with pytest.raises(GradcheckError, match=r"input 1 \(= 2.0\): analytic gradient 5.0, numeric 7.0"):
        gradcheck(lambda x, y: x * y + y * y.detach(), 3.0, 2.0)


def test_numerical_grad_is_a_central_difference():
    assert abs(numerical_grad(lambda x: x**3, [2.0], 0) - 12.0) < 1e-6


def test_gradcheck_takes_values_and_numpy_numbers():
    assert gradcheck(lambda x: x * 2, Value(1.5))
    assert gradcheck(lambda x, y: x * y, np.float64(0.5), np.int64(2))
    assert numerical_grad(lambda x: x * x, np.array([3.0]), np.int64(0)) == pytest.approx(6.0)


def test_gradcheck_is_unaffected_by_an_enclosing_no_grad():
    # inside no_grad the analytic pass once recorded no graph: every gradient 0, and a correct f was blamed
    with autograd.no_grad():
        assert gradcheck(lambda x, y: (x * y).tanh() / (y * y + 1), 0.3, -1.2)
        with pytest.raises(GradcheckError, match=r"analytic gradient 5.0, numeric 7.0"):
            gradcheck(lambda x, y: x * y + y * y.detach(), 3.0, 2.0)


def test_huge_tolerances_are_allowed():
    assert gradcheck(lambda x: x * x, 1.0, rtol=1e308, atol=1e308)


def test_an_estimate_that_is_not_finite_says_so():
    # x² at 1e154 ± 1e154: f(2e154) = 4e308 overflows, so the estimate is (inf - 0) / 2e154 = inf; it once
    # passed, as |2e154 - inf| <= atol + rtol · inf
    with pytest.raises(GradcheckError, match="the estimate is not finite: f overflows or leaves its domain"):
        gradcheck(lambda x: x * x, 1e154, eps=1e154)


# ---------------------------------------------------------------------------------------------------
# Wrong arguments: refused by name, never a raw error from inside (tests/probe.py)


def _square(x: Value) -> Value:
    return x * x


BAD_ARGUMENTS = [
    (Call(gradcheck, _square, math.nan), ValueError, "inputs[0] must be a finite number, got nan"),
    (Call(gradcheck, _square, math.inf), ValueError, "inputs[0] must be a finite number, got inf"),
    (Call(gradcheck, _square, Value(math.nan)), ValueError, "inputs[0] must be a finite number, got nan"),
    (Call(gradcheck, _square, 10**400), ValueError, "inputs[0] must be a finite number, got 1000"),
    (Call(gradcheck, _square, 1.0, "2"), TypeError, "inputs[1] must be a real number, got str: '2'"),
    (Call(gradcheck, _square, None), TypeError, "inputs[0] must be a real number, got NoneType"),
    (Call(gradcheck, _square, True), TypeError, "inputs[0] must be a real number, got bool"),
    (Call(gradcheck, _square, [1.0]), TypeError, "inputs[0] must be a real number, got list"),
    (Call(gradcheck, _square), ValueError, "gradcheck needs at least one input: gradcheck(f, x1, x2, ...)"),
    (Call(gradcheck, None, 1.0), TypeError,
     "f must be a function of Values that returns a Value, got NoneType"),
    (Call(gradcheck, 3.0, 1.0), TypeError, "f must be a function of Values that returns a Value, got float"),
    (Call(gradcheck, _square, 1.0, eps=math.inf), ValueError, "eps must be a finite number > 0, got inf"),
    (Call(gradcheck, _square, 1.0, eps=math.nan), ValueError, "eps must be a finite number > 0, got nan"),
    (Call(gradcheck, _square, 1.0, eps=0.0), ValueError, "eps must be > 0, got 0.0"),
    (Call(gradcheck, _square, 1.0, eps=-1e-6), ValueError, "eps must be > 0, got -1e-06"),
    (Call(gradcheck, _square, 1.0, eps="1e-6"), TypeError, "eps must be a real number, got str"),
    (Call(gradcheck, _square, 1.0, eps=None), TypeError, "eps must be a real number, got NoneType"),
    (Call(gradcheck, _square, 1.0, eps=1e-30), ValueError,
     "eps=1e-30 is below the spacing of floats at inputs[0] = 1.0: x ± eps == x"),
    (Call(gradcheck, _square, 1e308, eps=1e308), ValueError,
     "eps=1e+308 is too large for inputs[0] = 1e+308"),
    (Call(gradcheck, _square, 1.0, atol=-1.0), ValueError, "atol must be >= 0, got -1.0"),
    (Call(gradcheck, _square, 1.0, atol=math.inf), ValueError, "atol must be a finite number >= 0, got inf"),
    (Call(gradcheck, _square, 1.0, atol=math.nan), ValueError, "atol must be a finite number >= 0, got nan"),
    (Call(gradcheck, _square, 1.0, rtol=-0.1), ValueError, "rtol must be >= 0, got -0.1"),
    (Call(gradcheck, _square, 1.0, rtol=math.inf), ValueError, "rtol must be a finite number >= 0, got inf"),
    (Call(gradcheck, _square, 1.0, rtol="0"), TypeError, "rtol must be a real number, got str"),
    (Call(gradcheck, _square, 1.0, 2.0), TypeError, "f cannot take the 2 inputs given: too many positional"),
    (Call(gradcheck, lambda x, y: x * y, 1.0), TypeError,
     "f cannot take the 1 input given: missing a required"),
    (Call(numerical_grad, _square, [1.0, 2.0], 0), TypeError, "f cannot take the 2 inputs given"),
    (Call(gradcheck, lambda x: 3.0, 1.0), TypeError, "gradcheck needs f to return a Value, got float: 3.0"),
    (Call(gradcheck, lambda x: None, 1.0), TypeError, "gradcheck needs f to return a Value, got NoneType"),
    (Call(numerical_grad, None, [1.0], 0), TypeError, "f must be a function of Values, got NoneType"),
    (Call(numerical_grad, _square, 1.0, 0), TypeError, "inputs must be a list of numbers, got float: 1.0"),
    (Call(numerical_grad, _square, ["a"], 0), TypeError, "inputs[0] must be a real number, got str"),
    (Call(numerical_grad, _square, [math.nan], 0), ValueError, "inputs[0] must be a finite number, got nan"),
    (Call(numerical_grad, _square, [], 0), ValueError, "inputs must hold at least one number, got []"),
    (Call(numerical_grad, _square, [1.0], 1), ValueError, "i must be >= 0 and <= 0, got 1"),
    (Call(numerical_grad, _square, [1.0], -1), ValueError, "i must be >= 0 and <= 0, got -1"),
    (Call(numerical_grad, _square, [1.0], 0.0), TypeError, "i must be an int, got float: 0.0"),
    (Call(numerical_grad, _square, [1.0], 0, eps=0), ValueError, "eps must be > 0, got 0"),
    (Call(numerical_grad, _square, [1.0], 0, eps=math.inf), ValueError,
     "eps must be a finite number > 0, got inf"),
    (Call(numerical_grad, lambda x: "x", [1.0], 0), TypeError,
     "f's result must be a real number, got str: 'x'"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "error", "says"), BAD_ARGUMENTS, ids=ids(BAD_ARGUMENTS))
def test_wrong_arguments_are_refused_by_name(call, error, says):
    refused(call, error, says)


def test_sweep_of_wrong_values_finds_no_raw_error():
    tolerances = {"eps": 1e-6, "atol": 1e-5, "rtol": 1e-3}
    # at 1e308 and 10**9 (finite inputs) the estimate of (x²)' = 2x with eps = 1e-6 is poor: a GradcheckError
    problems = sweep(lambda f, x, **k: gradcheck(f, x, **k), (_square, 1.0), tolerances,
                     {0: "f must", 1: "inputs[0]", "eps": "eps", "atol": "atol", "rtol": "rtol"},
                     allowed=(GradcheckError,))  # fmt: skip
    assert problems == []
    assert sweep(numerical_grad, (_square, [1.0], 0), {"eps": 1e-6}, {0: "f must", 1: "inputs", 2: "i must",
                                                                     "eps": "eps"}) == []  # fmt: skip
