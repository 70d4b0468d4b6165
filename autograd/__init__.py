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

from . import checks, exercises, explain, expression, graph, ops, rules, view, viz
from .check import gradcheck
from .compiled import Compiled
from .compiled import compile as compile  # re-exported, kept out of __all__ (see below)
from .functional import grad, hessian, value_and_grad
from .graph import backward, topological_order
from .modes import (
    DataDependentError,
    detect_anomaly,
    enable_grad,
    is_anomaly_enabled,
    is_grad_enabled,
    no_grad,
    tracing,
)
from .ops import OPS, Op
from .value import Operand, Value, dot, dots, logsumexp, map_op, softmax
from .value import sum as sum  # re-exported, kept out of __all__ (see below)
from .viz import draw, to_dot

# `sum` and `compile` are autograd.sum and autograd.compile, as torch.sum and torch.compile: they are
# left out of __all__ so that `from autograd import *` does not hide Python's own sum() and compile().
__all__ = [
    "OPS", "Compiled", "DataDependentError", "Op", "Operand", "Value", "backward", "checks", "detect_anomaly", "dot",
    "dots", "draw", "enable_grad", "exercises", "explain", "expression", "grad", "gradcheck", "graph", "hessian",
    "is_anomaly_enabled", "is_grad_enabled", "logsumexp", "map_op", "no_grad", "ops", "rules", "softmax", "to_dot",
    "topological_order", "tracing", "value_and_grad", "view", "viz",
]  # fmt: skip
__version__ = "0.1.0"
