"""chainrule's nn: neurons, layers and multi-layer perceptrons on top of autograd."""

from __future__ import annotations

import autograd as _autograd

if not getattr(_autograd, "__chainrule__", False):
    raise ImportError(
        f"the module 'autograd' found at {getattr(_autograd, '__file__', '?')} is not chainrule's (the PyPI "
        "package 'autograd' by HIPS has the same import name); install chainrule in its own virtual "
        "environment: python3 -m venv .venv && .venv/bin/pip install chainrule"
    )
