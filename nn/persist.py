"""Save and load an MLP as JSON: its architecture and every weight, exactly.

Floats are written with `repr`, which reads back to the same float, so a loaded model computes
bit-for-bit what the saved one did. A file is written to a temporary name and renamed into place, so a
crash never leaves half a file. Loading checks the whole file before touching any model.

File layout::

    {"format": "chainrule.nn.MLP", "version": 1,
     "architecture": {"nin": 2, "nouts": [16, 16, 1], "activation": "relu",
                      "output_activation": "linear", "bias": true},
     "parameters": {"layers.0.neurons.0.w.0": 0.6888437030500962, ...}}
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .layers import ACTIVATIONS, MLP

__all__ = ["FORMAT", "ModelFileError", "load", "save"]

FORMAT = "chainrule.nn.MLP"
VERSION = 1


class ModelFileError(ValueError):
    """A file that is not a chainrule model, is damaged, or holds another architecture.

    >>> issubclass(ModelFileError, ValueError)
    True
    """


def _architecture(model: MLP) -> dict[str, Any]:
    return {
        "nin": model.nin,
        "nouts": model.nouts,
        "activation": model.activation,
        "output_activation": model.output_activation,
        "bias": model.bias,
    }


def save(model: MLP, path: str | os.PathLike[str]) -> None:
    """Write `model` (architecture and weights) to `path` as JSON.

    >>> import tempfile, os
    >>> from nn import MLP
    >>> model = MLP(2, [4, 1], seed=3)
    >>> path = os.path.join(tempfile.mkdtemp(), "model.json")
    >>> save(model, path)
    >>> load(path).state_dict() == model.state_dict()
    True
    """
    if not isinstance(model, MLP):
        raise TypeError(f"save writes an nn.MLP, got {type(model).__name__}")
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "architecture": _architecture(model),
        "parameters": model.state_dict(),
    }
    text = json.dumps(doc, indent=1)
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")  # same folder, so the rename is atomic
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text + "\n")
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FileNotFoundError(f"no model file at {path}") from None
    except IsADirectoryError:
        raise IsADirectoryError(f"{path} is a folder, not a model file") from None
    except UnicodeDecodeError:
        raise ModelFileError(f"{path} is not a chainrule model file: not text (expected JSON)") from None
    if not text.strip():
        raise ModelFileError(f"{path} is empty (expected a chainrule model saved as JSON)")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        hint = " (is the file truncated?)" if e.pos >= len(text.rstrip()) else ""
        raise ModelFileError(
            f"{path} is not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}{hint}"
        ) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ModelFileError(f"{path} is JSON but not a chainrule model file (no \"format\": \"{FORMAT}\")")
    version = doc.get("version")
    if version != VERSION:
        raise ModelFileError(f"{path} has format version {version!r}; this chainrule reads version {VERSION}")
    for key in ("architecture", "parameters"):
        if not isinstance(doc.get(key), dict):
            raise ModelFileError(f"{path} has no {key!r} object")
    return doc


def _build(arch: dict[str, Any], path: Path) -> MLP:
    expected = {"nin", "nouts", "activation", "output_activation", "bias"}
    if set(arch) != expected:
        missing, extra = sorted(expected - set(arch)), sorted(set(arch) - expected)
        raise ModelFileError(f"{path}: architecture has missing keys {missing} and unknown keys {extra}")
    nin, nouts, bias = arch["nin"], arch["nouts"], arch["bias"]
    if isinstance(nin, bool) or not isinstance(nin, int) or nin < 1:
        raise ModelFileError(f"{path}: architecture 'nin' must be an int >= 1, got {nin!r}")
    if not isinstance(nouts, list) or not nouts or any(isinstance(k, bool) or not isinstance(k, int) or k < 1 for k in nouts):
        raise ModelFileError(f"{path}: architecture 'nouts' must be a list of ints >= 1, got {nouts!r}")
    for key in ("activation", "output_activation"):
        if arch[key] not in ACTIVATIONS:
            raise ModelFileError(f"{path}: architecture {key!r} is {arch[key]!r}; valid: {', '.join(ACTIVATIONS)}")
    if not isinstance(bias, bool):
        raise ModelFileError(f"{path}: architecture 'bias' must be true or false, got {bias!r}")
    return MLP(nin, nouts, activation=arch["activation"], output_activation=arch["output_activation"], bias=bias)


def load(path: str | os.PathLike[str], model: MLP | None = None) -> MLP:
    """Read a model saved by `save`: a new MLP, or, given `model`, its weights set from the file.

    Everything is checked before anything changes: a missing file (FileNotFoundError), text that is not
    JSON or was cut short, a JSON file of another kind, or weights for another architecture
    (ModelFileError, a ValueError) leave `model` as it was.

    >>> import tempfile, os
    >>> from nn import MLP
    >>> path = os.path.join(tempfile.mkdtemp(), "model.json")
    >>> save(MLP(2, [4, 1]), path)
    >>> load(path, MLP(2, [8, 1]))
    Traceback (most recent call last):
      ...
    nn.persist.ModelFileError: .../model.json holds MLP(2 -> 4 -> 1, relu / linear), but the model is MLP(2 -> 8 -> 1, relu / linear)
    """
    if model is not None and not isinstance(model, MLP):
        raise TypeError(f"load(path, model): model must be an nn.MLP, got {type(model).__name__}")
    p = Path(path)
    doc = _read(p)
    saved = _build(doc["architecture"], p)
    if model is not None and _architecture(model) != _architecture(saved):
        raise ModelFileError(f"{p} holds {saved!r}, but the model is {model!r}")
    target = model if model is not None else saved
    try:
        target.load_state_dict(doc["parameters"])  # checks every name and value before setting any
    except (ValueError, TypeError) as e:
        raise ModelFileError(f"{p}: {e}") from None
    return target
