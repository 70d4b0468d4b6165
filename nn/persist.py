"""Save and load an MLP as JSON: its architecture and every weight, exactly.

Floats are written with `repr`, which reads back to the same float, so a loaded model computes
bit-for-bit what the saved one did.

File layout::

    {"format": "chainrule.nn.MLP", "version": 1,
     "architecture": {"nin": 2, "nouts": [16, 16, 1], "activation": "relu",
                      "output_activation": "linear", "bias": true},
     "parameters": {"layers.0.neurons.0.w.0": 0.6888437030500962, ...}}

Exactly these keys; `version` is the integer 1; every weight a finite number; one entry per parameter,
named as `MLP.state_dict()` names it.

Loading checks everything before anything is built, in memory bounded by the file's size, never by what
the file declares:

- at most `MAX_FILE_BYTES` (128 MiB) are read, and a FIFO or device is refused without blocking;
- text with more than 16 JSON objects and lists (a model file has 4) or more values than a model within
  the limits has is refused before it is parsed, so nothing nests deeply or fans out;
- the architecture may declare at most `MAX_LAYERS` (10⁴) layers and `MAX_PARAMETERS` (10⁶) parameters,
  every width at most 10⁶; its parameter count Σ (n_in + bias)·n_out, computed in constant memory, must
  equal the file's number of entries;
- then every name, and every weight: a finite number (NaN, Infinity and 1e999 are refused).

Only then is a model built, or the given model's weights set. Any damage is a `ModelFileError` (a
ValueError) naming the file and what is wrong, and a given model is left exactly as it was.

Saving is atomic: the file is written to a temporary file unique to the call in the target's folder,
flushed to disk and renamed over the target, so a reader (or a crash) sees the old model or the new one,
never half a file, and concurrent saves to one path each succeed. A symbolic link is followed (its target
is replaced, the link kept); an existing file keeps its permissions; a folder, FIFO or device is refused,
never replaced. On any failure nothing is left behind and the error names the path given. `save` refuses a
model that `load` would refuse (non-finite weights, beyond the limits) before writing anything.
"""

from __future__ import annotations

import errno
import json
import math
import os
import re
import secrets
import stat
from collections.abc import Callable, Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any

from autograd.checks import choice, flag, instance, integer, optional, real, shown

from .layers import ACTIVATIONS, MLP

__all__ = ["FORMAT", "MAX_FILE_BYTES", "MAX_LAYERS", "MAX_PARAMETERS", "ModelFileError", "load", "save"]

FORMAT = "chainrule.nn.MLP"
VERSION = 1

MAX_PARAMETERS = 1_000_000
"""The most parameters a model file may hold (also bounds every layer width and `nin`)."""
MAX_LAYERS = 10_000
"""The most layers a model file may declare."""
MAX_FILE_BYTES = 128 * 2**20
"""The largest model file `load` reads: twice what `save` writes for `MAX_PARAMETERS` (≤ 70 bytes each)."""

_TOP = ("format", "version", "architecture", "parameters")
_ARCHITECTURE = ("nin", "nouts", "activation", "output_activation", "bias")
_CONTAINERS = 4  # the top object, "architecture", "nouts" and "parameters"
_MAX_CONTAINERS = 16  # a few more parse, so a list where a name or number belongs gets a precise message
_MAX_COMMAS = MAX_PARAMETERS + MAX_LAYERS + 16  # one per entry, plus a few between keys
_MAX_DIGITS = 400  # more than any finite float's integer part (309 digits), far below Python's int limit
_STRING = re.compile(r'"[^"]*"')  # a JSON string, once escaped backslashes and quotes are gone


class ModelFileError(ValueError):
    """A file that is not a chainrule model, is damaged, or holds another architecture.

    >>> issubclass(ModelFileError, ValueError)
    True
    """


class _Damage(Exception):
    """What is wrong with a model document; `load` names the file, `save` the model."""


def _architecture(model: MLP) -> dict[str, Any]:
    return {
        "nin": model.nin,
        "nouts": model.nouts,
        "activation": model.activation,
        "output_activation": model.output_activation,
        "bias": model.bias,
    }


def _describe(arch: dict[str, Any]) -> str:
    """What `repr(MLP(...))` shows for an architecture, without building it.

    >>> _describe(dict(nin=2, nouts=[4, 1], activation="relu", output_activation="tanh", bias=False))
    'MLP(2 -> 4 -> 1, relu / tanh, bias=False)'
    """
    sizes = " -> ".join(str(n) for n in [arch["nin"], *arch["nouts"]])
    bias = "" if arch["bias"] else ", bias=False"
    text = f"MLP({sizes}, {arch['activation']} / {arch['output_activation']}{bias})"
    return text if len(text) <= 120 else f"{text[:100]} ...)"


def _names(nin: int, nouts: list[int], bias: bool) -> Iterator[str]:
    """The parameter names of an MLP, in `state_dict()` order, one at a time (constant memory)."""
    n_in = nin
    for i, n_out in enumerate(nouts):
        for j in range(n_out):
            for k in range(n_in):
                yield f"layers.{i}.neurons.{j}.w.{k}"
            if bias:
                yield f"layers.{i}.neurons.{j}.b"
        n_in = n_out


def _checked(check: Callable[..., Any], name: str, x: object, *options: Any) -> Any:
    """A checker from autograd.checks, its TypeError or ValueError turned into a _Damage."""
    try:
        return check(name, x, *options)
    except (TypeError, ValueError) as e:
        raise _Damage(str(e)) from None


def _size(name: str, x: object) -> int:
    n: int = _checked(integer, name, x)
    if not 1 <= n <= MAX_PARAMETERS:
        raise _Damage(f"{name} must be between 1 and {MAX_PARAMETERS} (the most parameters a model file "
                      f"holds), got {shown(n)}")  # fmt: skip
    return n


def _check_architecture(given: object) -> dict[str, Any]:
    arch: dict[str, Any] = _checked(instance, "'architecture'", given, dict, "an object")
    if set(arch) != set(_ARCHITECTURE):
        missing = [k for k in _ARCHITECTURE if k not in arch]
        extra = [shown(k) for k in arch if k not in _ARCHITECTURE]
        raise _Damage(f"architecture has missing keys {missing} and unknown keys [{', '.join(extra)}]")
    nin = _size("architecture nin", arch["nin"])
    nouts = _checked(instance, "architecture nouts", arch["nouts"], list, "a list of layer widths")
    if not 1 <= len(nouts) <= MAX_LAYERS:
        raise _Damage(f"architecture nouts must list 1 to {MAX_LAYERS} layer widths, got {len(nouts)}")
    nouts = [_size(f"architecture nouts[{i}]", n) for i, n in enumerate(nouts)]
    activation = _checked(choice, "architecture activation", arch["activation"], ACTIVATIONS)
    output = _checked(choice, "architecture output_activation", arch["output_activation"], ACTIVATIONS)
    bias = _checked(flag, "architecture bias", arch["bias"])
    return {"nin": nin, "nouts": nouts, "activation": activation, "output_activation": output, "bias": bias}


def _count(arch: dict[str, Any]) -> int:
    """Σ (n_in + bias)·n_out, stopping as soon as it passes MAX_PARAMETERS (widths are already bounded)."""
    total, n_in = 0, arch["nin"]
    for n_out in arch["nouts"]:
        total += (n_in + arch["bias"]) * n_out
        if total > MAX_PARAMETERS:
            raise _Damage(f"{_describe(arch)} has more than {MAX_PARAMETERS} parameters, the most a model "
                          "file holds")  # fmt: skip
        n_in = n_out
    return total


def _weight(name: str, x: object) -> float:
    if type(x) is float and math.isfinite(x):  # the usual case, 4x faster than the checker's ABC test
        return x
    if type(x) is int and abs(x) > 2**1024:  # beyond the floats: say how long, not all of it
        raise _Damage(f"parameter {shown(name)} must be a finite number, got an integer of {len(str(x))} digits")
    return float(_checked(real, f"parameter {shown(name)}", x))


def _check_document(doc: object) -> tuple[dict[str, Any], dict[str, float]]:
    """The architecture and the weights by name of a model document, or a _Damage saying what is wrong.

    Everything is checked before any model is built; the count is compared before any name is looked up.
    """
    if not isinstance(doc, dict):
        raise _Damage(f"JSON but not a chainrule model file: the top level is {type(doc).__name__}, "
                      "not an object")  # fmt: skip
    if doc.get("format") != FORMAT:
        raise _Damage(f"JSON but not a chainrule model file (no \"format\": \"{FORMAT}\")")
    if "version" not in doc:
        raise _Damage("no format version")
    version = doc["version"]
    if type(version) is not int:  # not 1.0, not true
        raise _Damage(f"format version must be the integer {VERSION}, got {type(version).__name__}: "
                      f"{shown(version)}")  # fmt: skip
    if version != VERSION:
        raise _Damage(f"format version {shown(version)}; this chainrule reads version {VERSION}")
    unknown = [shown(k) for k in doc if k not in _TOP]
    if unknown:
        raise _Damage(f"unknown keys [{', '.join(unknown)}] (a model file has {', '.join(_TOP)})")
    for key in ("architecture", "parameters"):
        if key not in doc:
            raise _Damage(f"no {key!r} object")
    arch = _check_architecture(doc["architecture"])
    count = _count(arch)
    params = _checked(instance, "'parameters'", doc["parameters"], dict, "an object of name: weight")
    if len(params) != count:
        raise _Damage(f"{_describe(arch)} has {count} parameters, but 'parameters' holds {len(params)}")
    values: dict[str, float] = {}
    for name in _names(arch["nin"], arch["nouts"], arch["bias"]):
        if name not in params:
            expected = set(_names(arch["nin"], arch["nouts"], arch["bias"]))  # bounded: count = len(params)
            extra = next(k for k in params if k not in expected)
            raise _Damage(f"missing parameter {name!r} of {_describe(arch)}, and an unexpected "
                          f"{shown(extra)}")  # fmt: skip
        values[name] = _weight(name, params[name])
    return arch, values


# ---------------------------------------------------------------------------------------------------
# Reading.


def _kind(mode: int) -> str:
    kinds = {stat.S_IFIFO: "a FIFO", stat.S_IFCHR: "a device", stat.S_IFBLK: "a device",
             stat.S_IFSOCK: "a socket"}  # fmt: skip
    return kinds.get(stat.S_IFMT(mode), "not a regular file")


def _too_big(path: Path | str, size: int | str) -> ModelFileError:
    return ModelFileError(f"{path} is {size} bytes, more than the {MAX_FILE_BYTES} a model file may have")


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, if it is a regular file of at most MAX_FILE_BYTES; never blocks on a FIFO."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise FileNotFoundError(errno.ENOENT, "No such file (no model file there)", str(path)) from None
    except IsADirectoryError:
        raise _folder(path, "not a model file") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise _folder(path, "not a model file")
        if not stat.S_ISREG(st.st_mode):
            raise ModelFileError(f"{path} is {_kind(st.st_mode)}, not a model file")
        if st.st_size > MAX_FILE_BYTES:
            raise _too_big(path, st.st_size)
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(st.st_size + 1)  # read(n) allocates n bytes at once: the size found, not the limit
    finally:
        os.close(fd)
    if len(data) > st.st_size:
        raise ModelFileError(f"{path} grew while it was read (is something still writing it?)")
    return data


def _check_shape(text: str, path: Path) -> None:
    """Refuse, before parsing, text with more objects/lists or values than a model file has.

    This bounds what json builds by the file's size (no deep nesting, no million empty lists). The fast
    test counts brackets and commas anywhere; only if that is too many are strings set aside (escaped
    backslashes and quotes first, then each "..."), which is linear and exact for any valid JSON prefix.
    """
    containers, commas = text.count("{") + text.count("["), text.count(",")
    if containers <= _MAX_CONTAINERS and commas <= _MAX_COMMAS:
        return
    bare = _STRING.sub("", text.replace("\\\\", "").replace('\\"', ""))
    containers, commas = bare.count("{") + bare.count("["), bare.count(",")
    if containers > _MAX_CONTAINERS:
        raise ModelFileError(f"{path}: not a chainrule model file: {containers} JSON objects and lists, "
                             f"where a model file has {_CONTAINERS}")  # fmt: skip
    if commas > _MAX_COMMAS:
        raise ModelFileError(f"{path}: not a chainrule model file: more values than a model of at most "
                             f"{MAX_PARAMETERS} parameters has")  # fmt: skip


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Damage(f"key {shown(key)} appears twice in one object")
            seen.add(key)
    return obj


def _parse_int(digits: str) -> int:
    if len(digits) > _MAX_DIGITS:
        raise _Damage(f"a number of {len(digits)} digits (no number in a model file has more than "
                      f"{_MAX_DIGITS})")  # fmt: skip
    return int(digits)


def _read(path: Path) -> object:
    data = _read_bytes(path)
    try:
        text = data.decode("utf-8-sig")  # a byte order mark, as some editors write, is fine
    except UnicodeDecodeError:
        raise ModelFileError(f"{path} is not a chainrule model file: not text (expected JSON)") from None
    del data
    if not text or text.isspace():
        raise ModelFileError(f"{path} is empty (expected a chainrule model saved as JSON)")
    _check_shape(text, path)
    try:
        return json.loads(text, object_pairs_hook=_unique_keys, parse_int=_parse_int)
    except json.JSONDecodeError as e:
        hint = " (is the file truncated?)" if e.pos >= len(text.rstrip()) else ""
        raise ModelFileError(
            f"{path} is not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}{hint}"
        ) from None
    except _Damage as e:
        raise ModelFileError(f"{path}: {e}") from None
    except (ValueError, RecursionError) as e:  # a safety net: _check_shape leaves json nothing to recurse on
        raise ModelFileError(f"{path} is not a valid model file: {e}") from None


def load(path: str | os.PathLike[str], model: MLP | None = None) -> MLP:
    """Read a model saved by `save`: a new MLP, or, given `model`, its weights set from the file.

    Everything is checked before anything is built or changed (see the module docstring for the limits):
    a missing file (FileNotFoundError) or a folder (IsADirectoryError), or a file that is not JSON, was cut
    short, is of another kind, is damaged anywhere, or holds weights for another architecture
    (ModelFileError, a ValueError, naming the file and what is wrong) leave `model` as it was.

    >>> import tempfile, os
    >>> from nn import MLP
    >>> path = os.path.join(tempfile.mkdtemp(), "model.json")
    >>> save(MLP(2, [4, 1]), path)
    >>> load(path, MLP(2, [8, 1]))
    Traceback (most recent call last):
      ...
    nn.persist.ModelFileError: .../model.json holds MLP(2 -> 4 -> 1, relu / linear), but the model is MLP(2 -> 8 -> 1, relu / linear)
    """
    model = optional(instance, "model", model, cls=MLP, expected="an nn.MLP")
    p = Path(path)
    doc = _read(p)
    try:
        arch, values = _check_document(doc)
    except _Damage as e:
        raise ModelFileError(f"{p}: {e}") from None
    del doc
    if model is not None and _architecture(model) != arch:
        raise ModelFileError(f"{p} holds {_describe(arch)}, but the model is {model!r}")
    target = model if model is not None else MLP(
        arch["nin"], arch["nouts"], activation=arch["activation"],
        output_activation=arch["output_activation"], bias=arch["bias"], seed=0,  # weights come from the file:
    )  # fmt: skip  # seed=0 only keeps the global random generator untouched
    try:
        target.load_state_dict(values)  # checks every name and value again before setting any
    except (ValueError, TypeError) as e:  # a subclass of MLP with parameters of its own
        raise ModelFileError(f"{p}: {e}") from None
    return target


# ---------------------------------------------------------------------------------------------------
# Writing.


def _save_error(e: OSError, where: str) -> OSError:
    """The OS error `e` as one that names the user's path (never the temporary file)."""
    reason = e.strerror or str(e) or type(e).__name__
    if e.errno is None:
        return OSError(f"cannot save the model to {where}: {reason}")
    return OSError(e.errno, f"cannot save the model ({reason})", where)  # the subclass for errno, as open's


def _create_temp(target: str) -> tuple[int, str]:
    """A new file beside `target`, unique to this call (O_EXCL), and its name.

    Made as `tempfile.mkstemp` makes one, but with mode 0o666 less the umask, as `open(target, "w")`
    would make the target: mkstemp's 0o600 would make every new model file private.
    """
    folder, name = os.path.split(target)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = os.path.join(folder, f".{name[:200]}.{secrets.token_hex(6)}.tmp")  # same folder: atomic rename
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", folder)


def _folder(path: object, why: str) -> IsADirectoryError:
    """The error for a path that is a folder, as Python's own: errno, strerror and the path, with why."""
    return IsADirectoryError(errno.EISDIR, f"{os.strerror(errno.EISDIR)} ({why})", str(path))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _sync_folder(folder: str) -> None:
    """Make a rename in `folder` durable; some systems cannot open or sync a folder, and need not."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_atomically(where: str, data: bytes) -> None:
    try:
        target = os.path.realpath(where)  # follow links: replace the file a link points to, keep the link
        try:
            existing: os.stat_result | None = os.stat(target)
        except FileNotFoundError:
            existing = None
    except OSError as e:
        raise _save_error(e, where) from None
    if existing is not None and stat.S_ISDIR(existing.st_mode):
        raise _folder(where, f"save writes a file: give a name such as {os.path.join(where, 'model.json')}")
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        kind = _kind(existing.st_mode)
        raise ModelFileError(f"{where} is {kind}, not a model file: refusing to replace it")
    try:
        fd, tmp = _create_temp(target)
        try:
            try:
                if existing is not None and hasattr(os, "fchmod"):  # POSIX: keep the target's permissions
                    os.fchmod(fd, stat.S_IMODE(existing.st_mode))
                _write_all(fd, data)
                os.fsync(fd)  # the data is on disk before the name points at it
            finally:
                os.close(fd)
            os.replace(tmp, target)
        except BaseException:
            with suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError as e:
        raise _save_error(e, where) from None
    _sync_folder(os.path.dirname(target))


def save(model: MLP, path: str | os.PathLike[str]) -> None:
    """Write `model` (architecture and weights) to `path` as JSON, atomically.

    A model `load` would refuse (a non-finite weight, beyond the limits) is a ValueError before anything is
    written; see the module docstring for what else is guaranteed.

    >>> import tempfile, os
    >>> from nn import MLP
    >>> model = MLP(2, [4, 1], seed=3)
    >>> path = os.path.join(tempfile.mkdtemp(), "model.json")
    >>> save(model, path)
    >>> load(path).state_dict() == model.state_dict()
    True
    """
    model = instance("model", model, MLP, "an nn.MLP")
    where = os.fspath(instance("path", path, (str, os.PathLike), "a file path (a str or a pathlib.Path)"))
    doc = {"format": FORMAT, "version": VERSION, "architecture": _architecture(model),
           "parameters": model.state_dict()}  # fmt: skip
    try:
        arch, values = _check_document(doc)  # what save writes, load reads: the same checks
    except _Damage as e:
        raise ValueError(f"cannot save {model!r} to {where}: {e}") from None
    doc["architecture"], doc["parameters"] = arch, values  # plain ints and floats
    data = (json.dumps(doc, indent=1, allow_nan=False) + "\n").encode("utf-8")
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"cannot save {model!r} to {where}: {len(data)} bytes, more than load reads")
    _write_atomically(where, data)
