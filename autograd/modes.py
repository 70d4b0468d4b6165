"""Modes that change how ops record: `no_grad()` and `detect_anomaly()`.

Both are context managers backed by one `contextvars.ContextVar`, so they are thread-safe and
asyncio-safe: a mode set in one thread or task is not seen by another. Ops read the variable once each.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

__all__ = [
    "DataDependentError", "detect_anomaly", "enable_grad", "is_anomaly_enabled", "is_grad_enabled", "no_grad", "tracing",
]  # fmt: skip

NO_GRAD = 1
ANOMALY = 2
TRACE = 4
MODE: ContextVar[int] = ContextVar("chainrule_mode", default=0)


@contextlib.contextmanager
def _set(flag: int, on: bool) -> Iterator[None]:
    current = MODE.get()
    token = MODE.set(current | flag if on else current & ~flag)
    try:
        yield
    finally:
        MODE.reset(token)


def no_grad() -> contextlib.AbstractContextManager[None]:
    """Inside it, ops compute values but record no graph: results are leaves.

    >>> from autograd import Value
    >>> x = Value(3.0)
    >>> with no_grad():
    ...     y = x * x
    >>> y.data, y.inputs
    (9.0, ())
    """
    return _set(NO_GRAD, True)


def enable_grad() -> contextlib.AbstractContextManager[None]:
    """Record graphs again inside an enclosing `no_grad()` (as PyTorch's ``torch.enable_grad``).

    Function transforms (`grad`, `hessian`, ...), `gradcheck` and compiled mode's tracing use it: what
    they compute needs a graph, so an outer `no_grad()` does not change their answers.

    >>> from autograd import Value
    >>> with no_grad():
    ...     with enable_grad():
    ...         y = Value(3.0) * 2.0
    >>> y.op
    Op('*')
    """
    return _set(NO_GRAD, False)


def detect_anomaly() -> contextlib.AbstractContextManager[None]:
    """Inside it, the first op whose forward or backward makes a NaN or infinity raises, naming it.

    Outside it, NaN and infinity propagate as Python floats do.

    >>> from autograd import Value
    >>> with detect_anomaly():
    ...     Value(1e308) * 10.0
    Traceback (most recent call last):
      ...
    FloatingPointError: * produced inf from inputs (1e+308, 10.0)
    """
    return _set(ANOMALY, True)


def is_grad_enabled() -> bool:
    """False inside `no_grad()`."""
    return not MODE.get() & NO_GRAD


def is_anomaly_enabled() -> bool:
    """True inside `detect_anomaly()`."""
    return bool(MODE.get() & ANOMALY)


class DataDependentError(RuntimeError):
    """Code being traced looked at a Value's number to decide what to compute next."""


def tracing() -> contextlib.AbstractContextManager[None]:
    """Inside it, comparing or converting a Value raises DataDependentError.

    Compiled mode traces a function once and replays the recorded graph; a branch on a Value's data
    (``if x > 0``) would make the graph depend on the data, so it is refused instead of silently frozen.

    >>> from autograd import Value
    >>> with tracing():
    ...     Value(1.0) > 0
    Traceback (most recent call last):
      ...
    autograd.modes.DataDependentError: a traced function compared a Value (1.0 > 0.0): ...
    """
    return _set(TRACE, True)
