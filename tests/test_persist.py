"""save/load: exact round trips; damaged or hostile files are clear errors that build and change nothing;
saves are atomic, follow links, keep permissions and leave nothing behind."""

import errno
import json
import math
import os
import stat
import threading
import time
import tracemalloc

import pytest

from autograd import Value
from nn import MLP, ModelFileError, load, persist, save
from nn.persist import MAX_FILE_BYTES, MAX_LAYERS, MAX_PARAMETERS


def model_with_awkward_floats() -> MLP:
    model = MLP(2, [3, 2], activation="tanh", output_activation="sigmoid", init="he", seed=5)
    ps = model.parameters()
    ps[0].data = 0.1 + 0.2  # 0.30000000000000004
    ps[1].data = 5e-324  # the smallest subnormal
    ps[2].data = -1.7976931348623157e308
    ps[3].data = 1 / 3
    return model


def test_round_trip_is_exact_and_computes_the_same(tmp_path):
    model = model_with_awkward_floats()
    path = tmp_path / "model.json"
    save(model, path)
    loaded = load(path)
    assert repr(loaded) == repr(model) == "MLP(2 -> 3 -> 2, tanh / sigmoid)"
    assert loaded.state_dict() == model.state_dict()  # == on floats: bit-exact
    assert all(math.copysign(1, a) == math.copysign(1, b) for a, b in
               zip(loaded.state_dict().values(), model.state_dict().values()))  # fmt: skip
    x = [0.3, -0.7]
    assert [v.data for v in loaded(x)] == [v.data for v in model(x)]
    doc = json.loads(path.read_text())
    assert doc["architecture"] == {"nin": 2, "nouts": [3, 2], "activation": "tanh",
                                   "output_activation": "sigmoid", "bias": True}  # fmt: skip
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_load_into_a_model_of_the_same_architecture(tmp_path):
    path = tmp_path / "m.json"
    save(MLP(2, [4, 1], bias=False, seed=1), path)
    target = MLP(2, [4, 1], bias=False, seed=2)
    assert load(path, target) is target
    assert target.state_dict() == MLP(2, [4, 1], bias=False, seed=1).state_dict()


def test_a_byte_order_mark_is_fine(tmp_path):
    path = tmp_path / "m.json"
    path.write_text("\ufeff" + good_text(), encoding="utf-8")
    assert load(path).state_dict() == MLP(2, [2, 1], seed=0).state_dict()


@pytest.mark.parametrize("nin, nouts, bias", [(2, [2, 1], True), (3, [1], False), (1, [4, 3, 2], True)])
def test_names_and_description_agree_with_the_mlp(nin, nouts, bias):
    model = MLP(nin, nouts, activation="tanh", bias=bias)
    assert list(persist._names(nin, nouts, bias)) == list(model.state_dict())
    assert persist._describe(persist._architecture(model)) == repr(model)


def test_the_file_limit_holds_any_model_save_writes():
    # the longest entry a model within the limits can have: every index at its largest, the longest float repr
    name = f"layers.{MAX_LAYERS - 1}.neurons.{MAX_PARAMETERS - 1}.w.{MAX_PARAMETERS - 1}"
    line = f'  "{name}": {-2.2250738585072014e-308!r},\n'  # indent=1 puts parameters two levels deep
    assert len(line) <= 70
    assert MAX_PARAMETERS * len(line) + 1000 < MAX_FILE_BYTES


# ---------------------------------------------------------------------------------------------------
# Damaged and hostile files.


def good_doc() -> dict:
    return {"format": "chainrule.nn.MLP", "version": 1,
            "architecture": {"nin": 2, "nouts": [2, 1], "activation": "relu", "output_activation": "linear",
                             "bias": True},
            "parameters": MLP(2, [2, 1], seed=0).state_dict()}  # fmt: skip


def good_text() -> str:
    return json.dumps(good_doc())


def sub(old: str, new: str) -> str:
    """good_text() with `old` (which must be there) replaced once by `new`."""
    text = good_text()
    assert old in text
    return text.replace(old, new, 1)


def edit(change) -> str:
    doc = good_doc()
    change(doc)
    return json.dumps(doc)


B = '"layers.0.neurons.0.b": 0.0'  # one parameter's entry in good_text()


def weight(raw: str) -> str:
    return sub(B, f'"layers.0.neurons.0.b": {raw}')


def arch(key: str, value: object) -> str:
    return edit(lambda d: d["architecture"].__setitem__(key, value))


def top(key: str, value: object) -> str:
    return edit(lambda d: d.__setitem__(key, value))


def drop(*keys: str) -> str:
    def change(d):
        for k in keys[:-1]:
            d = d[k]
        del d[keys[-1]]

    return edit(change)


SIZE = "must be between 1 and 1000000"
W = "parameter 'layers.0.neurons.0.b' must be a"  # the damaged weight, named
COUNT = r"MLP\(2 -> 2 -> 1, relu / linear\) has 9 parameters, but 'parameters' holds"
DAMAGED = {
    # not a model file at all
    "empty": (lambda: "", "is empty"),
    "blank": (lambda: " \n\t\n", "is empty"),
    "not JSON": (lambda: "not json at all", "is not valid JSON: Expecting value at line 1"),
    "truncated": (lambda: good_text()[:-40], "is not valid JSON.*truncated"),
    "trailing junk": (lambda: good_text() + " x", "is not valid JSON: Extra data"),
    "binary": (lambda: b"\xff\xfe\x00binary", "not text"),
    "UTF-16": (lambda: good_text().encode("utf-16"), "not text"),
    "top-level list": (lambda: "[1, 2]", "not a chainrule model file: the top level is list"),
    "top-level number": (lambda: "5", "the top level is int"),
    "top-level string": (lambda: '"chainrule.nn.MLP"', "the top level is str"),
    "other JSON": (lambda: json.dumps({"hello": 1}), "JSON but not a chainrule model file"),
    "format wrong": (lambda: top("format", "chainrule.nn.Other"), "JSON but not a chainrule model file"),
    "format a number": (lambda: top("format", 1), "JSON but not a chainrule model file"),
    "format missing": (lambda: drop("format"), "JSON but not a chainrule model file"),
    # nested or repeated beyond a model file's shape: refused before json builds anything
    "deep nesting": (lambda: "[" * 100_000 + "]" * 100_000, "100000 JSON objects and lists, where a model"),
    "deep nouts": (lambda: sub("[2, 1]", "[" * 5000 + "]" * 5000), "5003 JSON objects and lists"),
    "many lists": (lambda: weight("[" + ", ".join(["[]"] * 13) + "]"), "18 JSON objects and lists"),
    "escaped quotes": (lambda: good_text()[:-2] + ', "' + '\\"' * 200_000 + "[" * 13, "17 JSON objects"),
    "too many values": (lambda: sub("[2, 1]", json.dumps([1] * 1_100_000)), "more values than a model of"),
    # the format version
    "version 99": (lambda: top("version", 99), "format version 99; this chainrule reads version 1"),
    "version 1.0": (lambda: top("version", 1.0), "format version must be the integer 1, got float: 1.0"),
    "version true": (lambda: top("version", True), "format version must be the integer 1, got bool: True"),
    "version string": (lambda: top("version", "1"), "format version must be the integer 1, got str: '1'"),
    "version missing": (lambda: drop("version"), "no format version"),
    # the top-level keys
    "unknown key": (lambda: top("note", "x"), r"unknown keys \['note'\]"),
    "duplicate key": (lambda: sub('"version": 1', '"version": 1, "version": 1'), "'version' appears twice"),
    "no architecture": (lambda: drop("architecture"), "no 'architecture' object"),
    "no parameters": (lambda: drop("parameters"), "no 'parameters' object"),
    "arch a list": (lambda: top("architecture", [2, 1]), "'architecture' must be an object, got list"),
    "parameters a string": (lambda: top("parameters", "w"), "'parameters' must be an object of name: weight"),
    # the architecture
    "architecture key missing": (lambda: drop("architecture", "bias"), r"missing keys \['bias'\]"),
    "architecture key unknown": (lambda: arch("init", "he"), r"unknown keys \['init'\]"),
    "nin 0": (lambda: arch("nin", 0), f"architecture nin {SIZE}.*got 0"),
    "nin -1": (lambda: arch("nin", -1), f"architecture nin {SIZE}.*got -1"),
    "nin 2.0": (lambda: arch("nin", 2.0), "architecture nin must be an int, got float: 2.0"),
    "nin true": (lambda: arch("nin", True), "architecture nin must be an int, got bool: True"),
    "nin a string": (lambda: arch("nin", "2"), "architecture nin must be an int, got str: '2'"),
    "nin 350 digits": (lambda: sub('"nin": 2', '"nin": 1' + "0" * 349), f"architecture nin {SIZE}"),
    "nin 5000 digits": (lambda: sub('"nin": 2', '"nin": ' + "9" * 5000), "a number of 5000 digits"),
    "nouts a string": (lambda: arch("nouts", "16"), "nouts must be a list of layer widths, got str: '16'"),
    "nouts empty": (lambda: arch("nouts", []), "architecture nouts must list 1 to 10000 layer widths, got 0"),
    "nouts too deep": (lambda: arch("nouts", [1] * (MAX_LAYERS + 1)), "1 to 10000 layer widths, got 10001"),
    "width 0": (lambda: arch("nouts", [0, 1]), rf"architecture nouts\[0\] {SIZE}.*got 0"),
    "width huge": (lambda: arch("nouts", [10_000_000, 1]), rf"architecture nouts\[0\] {SIZE}.*got 10000000"),
    "width 2.5": (lambda: arch("nouts", [2, 2.5]), r"architecture nouts\[1\] must be an int, got float: 2.5"),
    "width null": (lambda: arch("nouts", [None, 1]), r"architecture nouts\[0\] must be an int, got NoneType"),
    "too many parameters": (lambda: arch("nouts", [1000, 1000, 1]),
                            r"MLP\(2 -> 1000 -> 1000 -> 1, relu / linear\) has more than 1000000 parameters"),
    "activation a list": (lambda: arch("activation", ["relu"]), r"activation must be one of .*\['relu'\]"),
    "activation swish": (lambda: arch("activation", "swish"), "activation must be one of 'relu', .*'swish'"),
    "output activation null": (lambda: arch("output_activation", None), "output_activation must be one of"),
    "bias a string": (lambda: arch("bias", "true"), "bias must be True or False, got str: 'true'"),
    "bias 1": (lambda: arch("bias", 1), "architecture bias must be True or False, got int: 1"),
    # the parameters
    "another count": (lambda: arch("nouts", [3, 1]), r"2 -> 3 -> 1, .* has 13 parameters, but .* 9$"),
    "a parameter missing": (lambda: drop("parameters", "layers.1.neurons.0.b"), f"{COUNT} 8$"),
    "a parameter extra": (lambda: sub(B, B + ', "layers.0.neurons.0.w.9": 1.0'), f"{COUNT} 10$"),
    "brackets in a name": (lambda: sub(B, B + ', "[[[[{{{{\\\\": 1.0'), f"{COUNT} 10$"),
    "a parameter renamed": (lambda: sub('"layers.0.neurons.0.b"', '"layers.0.neurons.0.bias"'),
                            "missing parameter 'layers.0.neurons.0.b' of .*, and an unexpected '.*bias'"),
    "a name repeated": (lambda: sub(B, B + ", " + B), "'layers.0.neurons.0.b' appears twice in one object"),
    "weight a string": (lambda: weight('"x"'), f"{W} real number, got str: 'x'"),
    "weight null": (lambda: weight("null"), f"{W} real number, got NoneType"),
    "weight true": (lambda: weight("true"), f"{W} real number, got bool"),
    "weight a list": (lambda: weight("[0.0]"), f"{W} real number, got list"),
    "weight an object": (lambda: weight("{}"), f"{W} real number, got dict"),
    "weight NaN": (lambda: weight("NaN"), f"{W} finite number, got nan"),
    "weight Infinity": (lambda: weight("Infinity"), f"{W} finite number, got inf"),
    "weight -Infinity": (lambda: weight("-Infinity"), f"{W} finite number, got -inf"),
    "weight 1e999": (lambda: weight("1e999"), f"{W} finite number, got inf"),
    "weight 350 digits": (lambda: weight("1" + "0" * 349), f"{W} finite number, got an integer of 350"),
}  # fmt: skip


def write_case(tmp_path, case: str):
    content = DAMAGED[case][0]()
    path = tmp_path / "m.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_there_are_many_distinct_damages():
    texts = [DAMAGED[case][0]() for case in DAMAGED]
    assert len(set(texts)) == len(texts) >= 30


@pytest.mark.parametrize("case", DAMAGED)
def test_a_damaged_file_is_a_model_file_error_naming_the_file(tmp_path, case):
    path = write_case(tmp_path, case)
    with pytest.raises(ModelFileError, match=DAMAGED[case][1]) as info:
        load(path)
    assert str(path) in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("case", DAMAGED)
def test_a_damaged_file_leaves_the_given_model_as_it_was(tmp_path, case):
    path = write_case(tmp_path, case)
    model = MLP(2, [2, 1], seed=9)  # the architecture of the good file, so the damage is what is refused
    for i, p in enumerate(model.parameters()):
        p.grad = i + 0.5
    before = [(p.data, p.grad) for p in model.parameters()], repr(model)
    with pytest.raises(ModelFileError) as info:
        load(path, model)
    assert str(path) in str(info.value)
    assert ([(p.data, p.grad) for p in model.parameters()], repr(model)) == before


def test_another_architecture_is_refused_by_name(tmp_path):
    path = tmp_path / "m.json"
    save(MLP(2, [4, 1], seed=0), path)
    model = MLP(2, [8, 1], seed=1)
    before = model.state_dict()
    expected = r"holds MLP\(2 -> 4 -> 1, relu / linear\), but the model is MLP\(2 -> 8"
    with pytest.raises(ModelFileError, match=expected):
        load(path, model)
    assert model.state_dict() == before


@pytest.mark.parametrize("nouts", [[10_000_000, 1], [500, 500]])
def test_a_declared_architecture_is_checked_before_anything_is_allocated(tmp_path, nouts):
    # [10⁷, 1]: the 181-byte file; [500, 500]: within the limits, but the file has no weights for it
    doc = good_doc() | {"parameters": {}}
    doc["architecture"]["nouts"] = nouts
    path = tmp_path / "m.json"
    path.write_text(json.dumps(doc))
    assert path.stat().st_size <= 181
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(ModelFileError, match="must be between 1 and 1000000|has 252000 parameters, but"):
            load(path)
        seconds, (_, peak) = time.perf_counter() - start, tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 100_000  # bytes: the file and its parse; building [500, 500] would take ~50 MB
    assert seconds < 1.0


def test_missing_file_folder_and_wrong_types(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"No such file \(no model file there\): .*nothing.json"):
        load(tmp_path / "nothing.json")
    with pytest.raises(IsADirectoryError, match=rf"Is a directory \(not a model file\): '{tmp_path}'"):
        load(tmp_path)
    with pytest.raises(TypeError, match="model must be an nn.MLP, got str: 'model'"):
        save("model", tmp_path / "x.json")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="path must be a file path .* got int: 5"):
        save(MLP(1, [1]), 5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="model must be an nn.MLP, got dict"):
        load(tmp_path / "x.json", {})  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_load_refuses_a_fifo_without_blocking_and_a_huge_file_without_reading_it(tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    with pytest.raises(ModelFileError, match=f"{fifo} is a FIFO, not a model file"):
        load(fifo)  # opened without blocking: no writer is needed to find out
    huge = tmp_path / "huge.json"
    with open(huge, "wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk used
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match=f"{huge} is {MAX_FILE_BYTES + 1} bytes, more than the"):
            load(huge)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 100_000


# ---------------------------------------------------------------------------------------------------
# Saving: atomic, safe, nothing left behind.


def test_save_follows_a_symbolic_link_and_keeps_it(tmp_path):
    real = tmp_path / "real.json"
    save(MLP(2, [2, 1], seed=1), real)
    link = tmp_path / "link.json"
    link.symlink_to("real.json")
    new = MLP(2, [2, 1], seed=2)
    save(new, link)
    assert link.is_symlink() and os.readlink(link) == "real.json"
    assert load(real).state_dict() == new.state_dict()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "real.json"]


def test_save_refuses_a_folder_a_fifo_and_a_device(tmp_path):
    model = MLP(2, [2, 1])
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(IsADirectoryError, match=rf"Is a directory \(save writes a file: give a name such as {folder}/model.json\): '{folder}'"):
        save(model, folder)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(ModelFileError, match=f"{fifo} is a FIFO, not a model file: refusing to replace it"):
        save(model, fifo)
    null = tmp_path / "null"
    null.symlink_to("/dev/null")  # through a link: a bug here replaces the link, not /dev/null
    with pytest.raises(ModelFileError, match=f"{null} is a device, not a model file"):
        save(model, null)
    assert folder.is_dir() and list(folder.iterdir()) == []
    assert stat.S_ISFIFO(fifo.stat().st_mode) and null.is_symlink()
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null", "out", "pipe"]


def test_save_keeps_an_existing_files_permissions_and_a_new_one_follows_the_umask(tmp_path):
    path = tmp_path / "m.json"
    path.write_text("old")
    path.chmod(0o640)
    save(MLP(1, [1]), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    old = os.umask(0o027)
    try:
        save(MLP(1, [1]), tmp_path / "new.json")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o666 & ~0o027  # as open(path, "w")


def failing(monkeypatch, tmp_path, where: str) -> type[BaseException]:
    """Make one step of save fail as a full disk, a read-only folder or Ctrl-C does; return what it raises."""
    if where == "create":  # a read-only folder (root ignores permissions, so simulated)
        real_open = os.open

        def refuse(path, flags, *args, **kwargs):
            if flags & os.O_CREAT and os.path.dirname(os.fspath(path)) == str(tmp_path):
                raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
            return real_open(path, flags, *args, **kwargs)

        monkeypatch.setattr(os, "open", refuse)
        return PermissionError
    if where in ("write", "interrupt"):  # the disk fills up half way; Ctrl-C half way
        real_write = os.write

        def half(fd, data):
            real_write(fd, bytes(data[: len(data) // 2]))
            if where == "interrupt":
                raise KeyboardInterrupt
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(os, "write", half)
        return KeyboardInterrupt if where == "interrupt" else OSError
    name = {"fsync": "fsync", "replace": "replace"}[where]

    def fail(*args):
        names = [os.fspath(a) for a in args if not isinstance(a, int)]  # the temporary file, for replace
        raise OSError(errno.EIO, "Input/output error", *names)

    monkeypatch.setattr(os, name, fail)
    return OSError


@pytest.mark.parametrize("where", ["create", "write", "fsync", "replace", "interrupt"])
def test_a_failed_save_leaves_the_old_file_and_nothing_else(monkeypatch, tmp_path, where):
    path = tmp_path / "m.json"
    save(MLP(2, [2, 1], seed=1), path)
    old = path.read_bytes()
    expected = failing(monkeypatch, tmp_path, where)
    with pytest.raises(expected) as info:
        save(MLP(2, [2, 1], seed=2), path)
    monkeypatch.undo()
    if expected is not KeyboardInterrupt:
        message = str(info.value)
        assert str(path) in message and ".tmp" not in message and "cannot save the model" in message
    assert list(tmp_path.iterdir()) == [path]
    assert path.read_bytes() == old


def test_save_into_a_missing_folder_names_the_path(tmp_path):
    path = tmp_path / "nowhere" / "m.json"
    expected = r"\[Errno 2\] cannot save the model \(No such file or directory\): '.*nowhere/m.json'$"
    with pytest.raises(FileNotFoundError, match=expected):
        save(MLP(1, [1]), path)


def test_save_refuses_a_model_load_would_refuse_and_writes_nothing(tmp_path, monkeypatch):
    path = tmp_path / "m.json"
    for bad in (math.nan, math.inf):
        model = MLP(2, [2, 1])
        model.layers[0].neurons[1].w[0].data = bad
        expected = f"to {path}: parameter 'layers.0.neurons.1.w.0' must be a finite number, got {bad}$"
        with pytest.raises(ValueError, match=expected):
            save(model, path)

    class Scaled(MLP):
        def __init__(self) -> None:
            super().__init__(2, [2, 1])
            self.scale = Value(2.0)  # a parameter load could not put back

        def named_parameters(self) -> list[tuple[str, Value]]:
            return [*super().named_parameters(), ("scale", self.scale)]

    with pytest.raises(ValueError, match=r"cannot save MLP.* has 9 parameters, but 'parameters' holds 10"):
        save(Scaled(), path)
    monkeypatch.setattr(persist, "MAX_PARAMETERS", 8)
    with pytest.raises(ValueError, match="has more than 8 parameters"):
        save(MLP(2, [2, 1]), path)
    monkeypatch.undo()
    monkeypatch.setattr(persist, "MAX_FILE_BYTES", 100)
    with pytest.raises(ValueError, match="bytes, more than load reads"):
        save(MLP(2, [2, 1]), path)
    assert list(tmp_path.iterdir()) == []


def test_concurrent_saves_all_succeed_and_a_reader_never_sees_half_a_file(tmp_path):
    path = tmp_path / "m.json"
    models = [MLP(3, [8, 8, 1], seed=i) for i in range(4)]
    states = [m.state_dict() for m in models]
    save(models[0], path)
    errors: list[BaseException] = []
    seen: list[dict[str, float]] = []
    done = threading.Event()

    def writer(model: MLP) -> None:
        try:
            for _ in range(15):
                save(model, path)
        except BaseException as e:  # noqa: BLE001 -- reported by the test below
            errors.append(e)

    def reader() -> None:
        try:
            while not done.is_set():
                seen.append(load(path).state_dict())
        except BaseException as e:  # noqa: BLE001 -- reported by the test below
            errors.append(e)

    writers = [threading.Thread(target=writer, args=(m,)) for m in models]
    watcher = threading.Thread(target=reader)
    watcher.start()
    for t in writers:
        t.start()
    for t in writers:
        t.join()
    done.set()
    watcher.join()
    assert errors == []
    assert seen and all(s in states for s in seen)
    assert load(path).state_dict() in states
    assert list(tmp_path.iterdir()) == [path]
