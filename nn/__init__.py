"""chainrule's nn: neurons, layers and multi-layer perceptrons on top of autograd."""

from __future__ import annotations

import autograd as _autograd

if not getattr(_autograd, "__chainrule__", False):
    raise ImportError(
        f"the module 'autograd' found at {getattr(_autograd, '__file__', '?')} is not chainrule's (the PyPI "
        "package 'autograd' by HIPS has the same import name); install chainrule in its own virtual "
        "environment: python3 -m venv .venv && .venv/bin/pip install chainrule"
    )

from . import diagram, plots
from .bridge import from_torch, to_torch
from .layers import ACTIVATIONS, INITS, MLP, InputError, Layer, Neuron
from .losses import (
    LOSSES,
    binary_cross_entropy_with_logits,
    cross_entropy,
    half_mse,
    hinge,
    l2_penalty,
    mse,
    squared_error,
)
from .module import Module
from .optim import SGD, Adam, ConjugateGradient, ConstantLR, LinearDecay, Optimizer, StepDecay
from .persist import ModelFileError, load, save
from .train import (
    DivergedError,
    History,
    TrainingInterrupted,
    accuracy,
    classify,
    evaluate,
    fit,
    predict,
    train_step,
)

__all__ = [
    "ACTIVATIONS",
    "INITS",
    "LOSSES",
    "MLP",
    "SGD",
    "Adam",
    "ConjugateGradient",
    "ConstantLR",
    "DivergedError",
    "History",
    "InputError",
    "Layer",
    "LinearDecay",
    "ModelFileError",
    "Module",
    "Neuron",
    "Optimizer",
    "StepDecay",
    "TrainingInterrupted",
    "accuracy",
    "binary_cross_entropy_with_logits",
    "classify",
    "cross_entropy",
    "diagram",
    "evaluate",
    "fit",
    "from_torch",
    "half_mse",
    "hinge",
    "l2_penalty",
    "load",
    "mse",
    "plots",
    "predict",
    "save",
    "squared_error",
    "to_torch",
    "train_step",
]  # fmt: skip
