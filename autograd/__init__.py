"""chainrule's autograd: a scalar reverse-mode automatic-differentiation engine in pure Python.

>>> from autograd import Value
>>> x = Value(2.0)
>>> y = x * x + 3 * x
>>> y.backward()
>>> y.data, x.grad                   # dy/dx = 2x + 3
(10.0, 7.0)
"""

from __future__ import annotations

# A PyPI package named `autograd` (HIPS) also imports as `autograd`. If that one shadows ours, the
# imports below fail; if ours is imported where code expects theirs, this marker tells them apart.
__chainrule__ = True

import os as _os

if _os.path.isdir(_os.path.join(_os.path.dirname(__file__), "numpy")):  # HIPS autograd's files are here too
    raise ImportError(
        "another package named 'autograd' (HIPS autograd) is installed over chainrule's in "
        f"{_os.path.dirname(__file__)}; chainrule belongs in its own virtual environment: "
        "python3 -m venv .venv && .venv/bin/pip install chainrule"
    )

from . import exercises, explain, expression, ops, viz
from .check import gradcheck
from .compiled import Compiled, compile
from .functional import grad, hessian, value_and_grad
from .graph import backward, topological_order
from .modes import DataDependentError, detect_anomaly, is_anomaly_enabled, is_grad_enabled, no_grad, tracing
from .ops import OPS, Op
from .value import Operand, Value, dot, sum
from .viz import draw, to_dot

__all__ = [
    "OPS", "Compiled", "DataDependentError", "Op", "Operand", "Value", "backward", "compile", "detect_anomaly", "dot",
    "draw", "exercises", "explain", "expression", "grad", "gradcheck", "hessian", "is_anomaly_enabled", "is_grad_enabled",
    "no_grad", "ops", "sum", "to_dot", "topological_order", "tracing", "value_and_grad", "viz",
]  # fmt: skip
__version__ = "0.1.0"
