"""Modes that change how ops record: `no_grad()` and `detect_anomaly()`.

Both are context managers backed by one `contextvars.ContextVar`, so they are thread-safe and
asyncio-safe: a mode set in one thread or task is not seen by another. Ops read the variable once each.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

__all__ = [
    "DataDependentError", "detect_anomaly", "enable_grad", "is_anomaly_enabled", "is_grad_enabled", "is_tracing",
    "no_grad", "tracing",
]  # fmt: skip

NO_GRAD = 1
ANOMALY = 2
TRACE = 4
IEEE = 8  # ops return IEEE results (inf, nan) instead of raising: set while rules run on Values
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
    """Inside it, ops compute values but record no graph: results have no inputs and no op.

    `backward()` on such a result raises (there is nothing to go back through), as in PyTorch; used in
    a graph made later, it is a constant. Function transforms (`grad`, `hessian`, ...) and `gradcheck`
    record their own graphs, so an enclosing `no_grad()` does not change their answers (as
    ``torch.func.grad``).

    >>> from autograd import Value
    >>> x = Value(3.0)
    >>> with no_grad():
    ...     y = x * x
    >>> y.data, y.op, len(y.inputs)
    (9.0, None, 0)
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


def is_tracing() -> bool:
    """True while compiled mode traces a function (inside `tracing()`): a Value's number may not decide
    anything then, so a check on one (a loss checking its targets) is left to the caller."""
    return bool(MODE.get() & TRACE)


def is_anomaly_enabled() -> bool:
    """True inside `detect_anomaly()`."""
    return bool(MODE.get() & ANOMALY)


def ieee_arithmetic() -> contextlib.AbstractContextManager[None]:
    """Inside it, an op outside its domain gives the IEEE result (``1/0`` is inf, ``log 0`` is -inf, a
    square root of a negative number nan) instead of raising: what a float backward pass does, so the
    function transforms, which run the rules on Values, give the numbers `backward()` gives.

    >>> from autograd import Value
    >>> with ieee_arithmetic():
    ...     (1.0 / Value(0.0)).data, Value(0.0).log().data
    (inf, -inf)
    """
    return _set(IEEE, True)


class DataDependentError(RuntimeError):
    """Code being traced looked at a Value's number to decide what to compute next."""


class TracedFloat(float):
    """The `.data` of a Value while a function is traced for compiled mode: a float that refuses to be
    compared, tested for truth, or turned into another number, since compiled code would freeze the
    choice made on it. Arithmetic on it gives plain floats.

    >>> x = TracedFloat(2.0)
    >>> x * 3.0, repr(x)
    (6.0, '2.0')
    >>> x > 0
    Traceback (most recent call last):
      ...
    autograd.modes.DataDependentError: a traced function compared a Value's .data (2.0 > 0): ...
    """

    __slots__ = ()

    def _refuse(self, what: str) -> DataDependentError:
        return DataDependentError(
            f"a traced function {what}: compiled code replays one graph, so it cannot depend on the data. "
            "Use an op that branches inside (relu, abs, ...), or run it without compiling"
        )

    def __lt__(self, other: object) -> bool:
        raise self._refuse(f"compared a Value's .data ({float.__repr__(self)} < {other!r})")

    def __le__(self, other: object) -> bool:
        raise self._refuse(f"compared a Value's .data ({float.__repr__(self)} <= {other!r})")

    def __gt__(self, other: object) -> bool:
        raise self._refuse(f"compared a Value's .data ({float.__repr__(self)} > {other!r})")

    def __ge__(self, other: object) -> bool:
        raise self._refuse(f"compared a Value's .data ({float.__repr__(self)} >= {other!r})")

    def __eq__(self, other: object) -> bool:
        raise self._refuse(f"compared a Value's .data ({float.__repr__(self)} == {other!r})")

    def __ne__(self, other: object) -> bool:
        raise self._refuse(f"compared a Value's .data ({float.__repr__(self)} != {other!r})")

    __hash__ = float.__hash__

    def __bool__(self) -> bool:
        raise self._refuse(f"tested a Value's .data for truth ({float.__repr__(self)})")

    def __float__(self) -> float:
        raise self._refuse(f"made a number from a Value's .data ({float.__repr__(self)})")

    def __int__(self) -> int:
        raise self._refuse(f"made an int from a Value's .data ({float.__repr__(self)})")

    def __round__(self, ndigits: object = None) -> float:  # type: ignore[override]
        raise self._refuse(f"rounded a Value's .data ({float.__repr__(self)})")

    def __trunc__(self) -> int:
        raise self._refuse(f"truncated a Value's .data ({float.__repr__(self)})")

    def __floor__(self) -> int:
        raise self._refuse(f"rounded a Value's .data down ({float.__repr__(self)})")

    def __ceil__(self) -> int:
        raise self._refuse(f"rounded a Value's .data up ({float.__repr__(self)})")


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
