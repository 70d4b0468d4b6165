"""grad, value_and_grad, hessian: they compose, and agree with closed forms and PyTorch."""

from __future__ import annotations

import math
import random

import pytest

from autograd import Value, grad, hessian, value_and_grad


def test_grad_of_grad_of_cube_at_two_is_twelve():
    f = lambda x: x**3
    assert grad(f)(2.0) == 12.0  # 3x²
    assert grad(grad(f))(2.0) == 12.0  # 6x
    assert grad(grad(grad(f)))(2.0) == 6.0


@pytest.mark.parametrize("x", [-1.3, -0.2, 0.0, 0.4, 1.1])
def test_third_and_fourth_derivatives_of_tanh_match_closed_forms(x):
    t = math.tanh(x)
    s = 1 - t * t  # tanh' = sech² = 1 - tanh²
    d2 = -2 * t * s
    d3 = s * (6 * t * t - 2)  # d/dx(-2ts) = -2s² + 4t²s
    d4 = -8 * t * s * (3 * t * t - 2)  # d/dx[s(6t² - 2)] = -2ts(6t² - 2) + 12ts²
    f = lambda v: v.tanh()
    # the engine and the closed forms round differently; both are exact to ~1e-15 relative
    assert math.isclose(grad(f)(x), s, rel_tol=1e-13)
    assert math.isclose(grad(grad(f))(x), d2, rel_tol=1e-12, abs_tol=1e-15)
    assert math.isclose(grad(grad(grad(f)))(x), d3, rel_tol=1e-12, abs_tol=1e-15)
    assert math.isclose(grad(grad(grad(grad(f))))(x), d4, rel_tol=1e-12, abs_tol=1e-15)


def test_second_derivatives_agree_with_pytorch_double_backward(torch):
    fs = [
        lambda x: (x * x).sigmoid() * x.sin(),
        lambda x: (x.exp() + 1).log() / (x * x + 1),
        lambda x: x**2.5 + 2**x,
        lambda x: (x * 3).softplus() if isinstance(x, Value) else torch.nn.functional.softplus(x * 3),
    ]
    rng = random.Random(7)
    for f in fs:
        for _ in range(10):
            x0 = rng.uniform(0.1, 2.0)
            t = torch.tensor(x0, requires_grad=True)
            (d1,) = torch.autograd.grad(f(t), t, create_graph=True)
            (d2,) = torch.autograd.grad(d1, t)
            # same rules, transcendentals from libm vs PyTorch kernels
            assert math.isclose(grad(f)(x0), d1.item(), rel_tol=1e-12)
            assert math.isclose(grad(grad(f))(x0), d2.item(), rel_tol=1e-10, abs_tol=1e-12)


def test_hessian_matches_pytorch(torch):
    def f(x, y):
        return (x * y).tanh() + x**3 * y - (y * y + 1).log()

    ours = hessian(f, argnums=(0, 1))(0.7, -1.2)
    theirs = torch.autograd.functional.hessian(f, (torch.tensor(0.7), torch.tensor(-1.2)))
    for i in range(2):
        for j in range(2):
            assert math.isclose(ours[i][j], theirs[i][j].item(), rel_tol=1e-12, abs_tol=1e-14)
    assert ours[0][1] == ours[1][0] or math.isclose(ours[0][1], ours[1][0], rel_tol=1e-14)


def test_value_and_grad_and_argnums():
    f = lambda x, y, z: x * y + z
    assert value_and_grad(f)(2.0, 3.0, 4.0) == (10.0, 3.0)
    assert value_and_grad(f, argnums=(2, 0))(2.0, 3.0, 4.0) == (10.0, (1.0, 3.0))
    assert grad(f, argnums=-1)(2.0, 3.0, 4.0) == 1.0
    with pytest.raises(ValueError, match="argnums 5 does not fit a call with 3 positional arguments"):
        grad(f, argnums=5)(1.0, 2.0, 3.0)


def test_transforms_leave_grad_fields_alone_and_accept_values():
    x = Value(3.0)
    g = grad(lambda v: v * v)(x)
    assert isinstance(g, Value) and g.data == 6.0 and x.grad == 0.0


def test_constant_functions_have_zero_gradient_and_bad_returns_are_clear():
    assert grad(lambda x: 5.0)(1.0) == 0.0
    assert hessian(lambda x: 5.0)(1.0) == 0.0
    with pytest.raises(TypeError, match="must return a Value or a number, got str"):
        grad(lambda x: "no")(1.0)
    with pytest.raises(TypeError, match="argument 0 must be a number or a Value"):
        grad(lambda x: x)("1")


def test_a_newton_step_uses_grad_and_hessian():
    f = lambda x: x**4 - 3 * x
    x = 2.0
    for _ in range(30):
        x = x - grad(f)(x) / hessian(f)(x)
    assert math.isclose(x, (3 / 4) ** (1 / 3), rel_tol=1e-14)  # f'(x) = 4x³ - 3 = 0
