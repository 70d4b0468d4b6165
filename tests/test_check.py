"""gradcheck: passes true gradients, names the input when one is wrong."""

from __future__ import annotations

import pytest

from autograd import Value, gradcheck
from autograd.check import GradcheckError, numerical_grad


def test_gradcheck_passes_a_correct_function():
    assert gradcheck(lambda x, y: (x * y).tanh() / (y * y + 1), 0.3, -1.2)


def test_gradcheck_names_the_input_and_both_numbers_when_a_gradient_is_wrong():
    # detach hides a path from backward, but the finite difference sees it: a deliberately wrong gradient
    # f = x y + y·stop(y): backward sees d/dy = x + y = 5, the difference quotient x + 2y = 7
    with pytest.raises(GradcheckError, match=r"input 1 \(= 2.0\): analytic gradient 5.0, numeric 7.0"):
        gradcheck(lambda x, y: x * y + y * y.detach(), 3.0, 2.0)


def test_numerical_grad_is_a_central_difference():
    assert abs(numerical_grad(lambda x: x**3, [2.0], 0) - 12.0) < 1e-6


def test_gradcheck_rejects_bad_arguments():
    with pytest.raises(TypeError, match="gradcheck input 0 must be a number, got str"):
        gradcheck(lambda x: x, "1")
    with pytest.raises(ValueError, match="eps > 0"):
        gradcheck(lambda x: x, 1.0, eps=0.0)
    with pytest.raises(TypeError, match="return a Value"):
        gradcheck(lambda x: 3.0, 1.0)
    assert gradcheck(lambda x: x * 2, Value(1.5))
