"""The argument probe: public functions given wrong arguments refuse them by name.

Two tools, used by each module's tests:

- `refused(call, error, says)`: a row of a module's table of wrong arguments; the call must raise `error`
  (TypeError or ValueError) with `says` in its message, never a raw error from deep inside.
- `sweep(fn, args, kwargs, names)`: one valid call, then each argument in turn replaced by each of `WRONG`
  (None, a str, a bool, nan, inf, a negative, zero, lists, a dict, numpy scalars and arrays, a Value, huge
  ints, ...). Whatever the function does with it, it may accept it or raise a TypeError or ValueError
  naming the argument; any other exception, or a message that does not name the argument, is a problem.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest

from autograd import Value

from .conftest import require

np = require("numpy")

WRONG: dict[str, Any] = {
    "None": None, "str": "x", "float": 2.5, "bool": True, "nan": math.nan, "inf": math.inf, "-1": -1, "0": 0,
    "-0.5": -0.5, "1e308": 1e308, "10**9": 10**9, "10**400": 10**400, "[]": [], "dict": {"a": 1},
    "np.int64": np.int64(2), "np.float64": np.float64(0.5), "np.bool_": np.True_,
    "ndarray": np.array([1.0, 2.0]),
    "Value": Value(1.0), "[None]": [None], "['a']": ["a"], "[1, 2, 3]": [1, 2, 3], "object": object(),
}  # fmt: skip
"""Values wrong for most arguments (a few are right for some: the sweep asks only for a clean error)."""


class Call:
    """A call to make later, shown in test ids as written: ``Call(MLP, 2, [3], bias="no")``."""

    def __init__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        self.fn, self.args, self.kwargs = fn, args, kwargs

    def __call__(self) -> Any:
        return self.fn(*self.args, **self.kwargs)

    def __repr__(self) -> str:
        name = getattr(self.fn, "__qualname__", None) or type(self.fn).__name__
        shown = [_short(a) for a in self.args] + [f"{k}={_short(v)}" for k, v in self.kwargs.items()]
        return f"{name}({', '.join(shown)})"


def _short(x: object) -> str:
    text = getattr(x, "__qualname__", None) or repr(x)  # a function or class by name, anything else by repr
    return text if len(text) <= 30 else text[:27] + "..."


def ids(table: Sequence[tuple[Call, type[Exception], str]]) -> list[str]:
    """Test ids for a table: each row's call as written."""
    return [repr(call) for call, _, _ in table]


def refused(call: Call, error: type[Exception], says: str) -> None:
    """`call()` raises `error` with `says` in its message (a raw error propagates: the test fails with it)."""
    assert error in (TypeError, ValueError) or issubclass(error, (TypeError, ValueError))
    with pytest.raises(error) as info:
        call()
    assert says in str(info.value), f"{type(info.value).__name__}: {info.value}"


def sweep(
    fn: Callable[..., Any],
    args: Sequence[Any],
    kwargs: Mapping[str, Any],
    names: Mapping[int | str, str],
    allowed: tuple[type[Exception], ...] = (),
) -> list[str]:
    """`fn(*args, **kwargs)` with the argument at each key of `names` (a position or a keyword) replaced by
    each of WRONG in turn: the problems found. `names[key]` is the phrase an error about it must contain;
    `allowed` are exceptions that are the function's answer, not an argument error (GradcheckError)."""
    fn(*args, **kwargs)  # the call is valid as given
    problems = []
    for slot, phrase in names.items():
        for label, wrong in WRONG.items():
            a, k = list(args), dict(kwargs)
            if isinstance(slot, int):
                a[slot] = wrong
            else:
                k[slot] = wrong
            try:
                fn(*a, **k)
            except (TypeError, ValueError) as e:
                if phrase not in str(e):
                    problems.append(f"{slot}={label}: {type(e).__name__} not naming {phrase!r}: {e}")
            except allowed:
                pass
            except Exception as e:  # noqa: BLE001 -- any other exception is what the sweep looks for
                problems.append(f"{slot}={label}: raw {type(e).__name__}: {e}")
    return problems
