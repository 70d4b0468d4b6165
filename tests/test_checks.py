"""autograd.checks: the shared argument checkers (the parts the doctests do not show)."""

import pytest

from autograd.checks import integer, real


def test_real_refuses_an_int_beyond_float_range_instead_of_overflowing():
    # float(10**400) raises OverflowError: a raw error from inside, where an argument error belongs
    with pytest.raises(ValueError, match=r"^lr must be a finite number > 0, got 1000"):
        real("lr", 10**400, low=0.0, low_open=True)
    with pytest.raises(ValueError, match=r"^x must be a number a float can hold \(magnitude <= 1.798e\+308\)"):
        real("x", -(10**400), finite=False)
    assert real("x", 10**300) == 1e300  # a large int within range is fine


def test_integer_bounds_are_shown_exactly_and_a_huge_value_shortly():
    with pytest.raises(ValueError, match=r"^n must be >= 1 and <= 10000000, got 0$"):
        integer("n", 0, low=1, high=10_000_000)
    with pytest.raises(ValueError) as info:
        integer("n", 10**400, high=10)
    assert str(info.value).startswith("n must be <= 10, got 1000") and len(str(info.value)) < 100
