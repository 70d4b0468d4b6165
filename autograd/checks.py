"""Argument checkers: one place that says what an argument must be, and what came instead.

Every public function of `autograd` and `nn` checks its arguments with these, so a wrong argument is a
`TypeError` (wrong kind of thing) or a `ValueError` (right kind, wrong value) that names the argument,
what was expected and what came, never a raw error from deep inside. Each checker returns the argument
normalised (an `int` for a numpy integer, a `float` for any real number), so callers keep the result.

`bool` is an `int` to Python, but a flag given where a number is expected is a mistake: the number
checkers refuse it, and `flag` accepts only `True` and `False`.

>>> integer("epochs", 3), real("lr", 1), flag("bias", False)
(3, 1.0, False)
>>> integer("epochs", 2.5)
Traceback (most recent call last):
  ...
TypeError: epochs must be an int, got float: 2.5
>>> real("lr", 0.0, low=0.0, low_open=True)
Traceback (most recent call last):
  ...
ValueError: lr must be > 0, got 0.0
"""

from __future__ import annotations

import math
import numbers
import operator
import sys
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any, TypeVar

__all__ = [
    "choice", "flag", "function", "instance", "integer", "iterable", "mapping", "optional", "real", "shown",
]  # fmt: skip

T = TypeVar("T")
R = TypeVar("R")

_MAX_SHOWN = 80


def shown(x: object) -> str:
    """`repr(x)`, cut short for long values: what an error message shows of the argument that came.

    >>> shown(1.5), shown("relu"), shown(list(range(100)))[-12:]
    ('1.5', "'relu'", '... (100 items)')
    """
    try:
        text = repr(x)
    except Exception:  # noqa: BLE001 -- a broken __repr__ must not hide the error being reported
        text = f"<{type(x).__name__} object>"
    if len(text) <= _MAX_SHOWN:
        return text
    size = f" ({len(x)} items)" if isinstance(x, Collection) else ""
    return f"{text[: _MAX_SHOWN - 20]}...{size}"


def _got(x: object) -> str:
    return f"got {type(x).__name__}: {shown(x)}"


def _bound(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    def num(b: float) -> str:
        return str(b) if isinstance(b, int) else f"{b:g}"  # an int bound exactly: 10000000, not 1e+07

    parts = []
    if low is not None:
        parts.append(f"{'>' if low_open else '>='} {num(low)}")
    if high is not None:
        parts.append(f"{'<' if high_open else '<='} {num(high)}")
    return " and ".join(parts)


def integer(name: str, x: object, *, low: int | None = None, high: int | None = None) -> int:
    """`x` as an int: any integer (numpy's too), not a bool, within [low, high] when given.

    >>> integer("n", 5, low=1)
    5
    >>> integer("n", 0, low=1)
    Traceback (most recent call last):
      ...
    ValueError: n must be >= 1, got 0
    >>> integer("n", True)
    Traceback (most recent call last):
      ...
    TypeError: n must be an int, got bool: True
    """
    if isinstance(x, bool) or not isinstance(x, numbers.Integral):
        raise TypeError(f"{name} must be an int, {_got(x)}")
    n = operator.index(x)
    if (low is not None and n < low) or (high is not None and n > high):
        raise ValueError(f"{name} must be {_bound(low, high, False, False)}, got {shown(n)}")
    return n


def real(
    name: str,
    x: object,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    finite: bool = True,
) -> float:
    """`x` as a float: any real number (int, float, numpy's), not a bool; finite unless `finite=False`;
    within the bounds when given (`low_open`: strictly above `low`).

    >>> real("noise", 0.5, low=0.0), real("x", float("inf"), finite=False)
    (0.5, inf)
    >>> real("eps", float("nan"))
    Traceback (most recent call last):
      ...
    ValueError: eps must be a finite number, got nan
    >>> real("x", 10**400, finite=False)
    Traceback (most recent call last):
      ...
    ValueError: x must be a number a float can hold (magnitude <= 1.798e+308), got 1000...
    >>> real("lr", "0.1")
    Traceback (most recent call last):
      ...
    TypeError: lr must be a real number, got str: '0.1'
    """
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{name} must be a real number, {_got(x)}")
    try:
        v = float(x)
    except OverflowError:  # an int beyond float range (10**400): never silently made infinite
        bounds = _bound(low, high, low_open, high_open)
        within = f"finite number{' ' + bounds if bounds else ''}" if finite else (
            f"number a float can hold (magnitude <= {sys.float_info.max:.4g})"
        )  # fmt: skip
        raise ValueError(f"{name} must be a {within}, got {shown(x)}") from None
    if finite and not math.isfinite(v):
        bounds = _bound(low, high, low_open, high_open)
        raise ValueError(f"{name} must be a finite number{' ' + bounds if bounds else ''}, got {shown(x)}")
    too_low = low is not None and (v <= low if low_open else v < low)
    too_high = high is not None and (v >= high if high_open else v > high)
    if too_low or too_high or math.isnan(v) and (low is not None or high is not None):
        raise ValueError(f"{name} must be {_bound(low, high, low_open, high_open)}, got {shown(x)}")
    return v


def flag(name: str, x: object) -> bool:
    """`x` if it is True or False; anything else (1, "no", None) is a TypeError.

    >>> flag("shuffle", True)
    True
    >>> flag("bias", "no")
    Traceback (most recent call last):
      ...
    TypeError: bias must be True or False, got str: 'no'
    """
    if not isinstance(x, bool):
        raise TypeError(f"{name} must be True or False, {_got(x)}")
    return x


def choice(name: str, x: object, options: Iterable[str]) -> str:
    """`x` if it is one of the string `options`; else a ValueError listing them (TypeError if not a str).

    >>> choice("rankdir", "LR", ("LR", "TB"))
    'LR'
    >>> choice("activation", "x", ("relu", "tanh"))
    Traceback (most recent call last):
      ...
    ValueError: activation must be one of 'relu', 'tanh'; got 'x'
    """
    valid = list(options)
    listed = ", ".join(repr(o) for o in valid)
    if not isinstance(x, str):
        raise TypeError(f"{name} must be one of {listed}; {_got(x)}")
    if x not in valid:
        raise ValueError(f"{name} must be one of {listed}; got {shown(x)}")
    return x


def instance(name: str, x: object, cls: type[T] | tuple[type, ...], expected: str) -> T:
    """`x` if it is an instance of `cls`; else a TypeError saying `expected` (e.g. "a Value").

    >>> instance("sample", [1.0], list, "a list of numbers")
    [1.0]
    >>> instance("root", None, int, "a Value")
    Traceback (most recent call last):
      ...
    TypeError: root must be a Value, got NoneType: None
    """
    if not isinstance(x, cls):
        raise TypeError(f"{name} must be {expected}, {_got(x)}")
    return x  # type: ignore[return-value]  # isinstance against a tuple of types does not narrow to T


def function(name: str, x: object, expected: str = "a function") -> Callable[..., Any]:
    """`x` if it can be called; else a TypeError saying `expected`.

    >>> function("schedule", 0.1, "a function of the epoch")
    Traceback (most recent call last):
      ...
    TypeError: schedule must be a function of the epoch, got float: 0.1
    """
    if not callable(x):
        raise TypeError(f"{name} must be {expected}, {_got(x)}")
    return x


def mapping(name: str, x: object, expected: str = "a mapping (a dict)") -> Mapping[Any, Any]:
    """`x` if it is a mapping such as a dict.

    >>> mapping("grads", 5, "a dict of Value -> float")
    Traceback (most recent call last):
      ...
    TypeError: grads must be a dict of Value -> float, got int: 5
    """
    if not isinstance(x, Mapping):
        raise TypeError(f"{name} must be {expected}, {_got(x)}")
    return x


def iterable(name: str, x: object, expected: str = "a list") -> list[Any]:
    """`x` as a list, if it is iterable and not a string (a string is rarely meant as a list of letters).

    >>> iterable("params", (1, 2))
    [1, 2]
    >>> iterable("X", None, "a list of samples")
    Traceback (most recent call last):
      ...
    TypeError: X must be a list of samples, got NoneType: None
    """
    if isinstance(x, (str, bytes)) or not isinstance(x, Iterable):
        raise TypeError(f"{name} must be {expected}, {_got(x)}")
    return x if type(x) is list else list(x)


def optional(check: Callable[..., R], name: str, x: object, **options: Any) -> R | None:
    """None, or `x` checked by `check` (one of the checkers above).

    >>> optional(integer, "batch_size", None), optional(integer, "batch_size", 10, low=1)
    (None, 10)
    """
    return None if x is None else check(name, x, **options)
