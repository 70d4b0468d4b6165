"""save/load: exact round trips, and clear errors that leave the model untouched."""

import json
import math

import pytest

from nn import MLP, ModelFileError, load, save


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


def write(tmp_path, text: str):
    path = tmp_path / "m.json"
    path.write_text(text)
    return path


def good_text() -> str:
    model = MLP(2, [2, 1], seed=0)
    doc = {"format": "chainrule.nn.MLP", "version": 1,
           "architecture": {"nin": 2, "nouts": [2, 1], "activation": "relu", "output_activation": "linear",
                            "bias": True},
           "parameters": model.state_dict()}  # fmt: skip
    return json.dumps(doc)


@pytest.mark.parametrize(
    "make_text, error, words",
    [
        (lambda: "", ModelFileError, "is empty"),
        (lambda: "not json at all", ModelFileError, "is not valid JSON: Expecting value at line 1"),
        (lambda: good_text()[:-40], ModelFileError, "is not valid JSON.*truncated"),
        (lambda: json.dumps({"hello": 1}), ModelFileError, "JSON but not a chainrule model file"),
        (lambda: good_text().replace('"version": 1', '"version": 99'), ModelFileError, "format version 99"),
        (lambda: good_text().replace('"nouts": [2, 1]', '"nouts": [3, 1]'), ModelFileError,
         r"holds MLP\(2 -> 3 -> 1|missing parameter 'layers.0.neurons.2.w.0'"),  # into a model | alone
        (lambda: good_text().replace('"relu"', '"swish"'), ModelFileError, "'activation' is 'swish'; valid: relu"),
        (lambda: good_text().replace('"layers.0.neurons.0.b": 0.0', '"layers.0.neurons.0.b": "x"'), ModelFileError,
         "parameter 'layers.0.neurons.0.b' must be a real number"),
    ],
)
def test_damaged_files_are_clear_errors_and_change_nothing(tmp_path, make_text, error, words):
    path = write(tmp_path, make_text())
    model = MLP(2, [2, 1], seed=9)
    before = model.state_dict()
    with pytest.raises(error, match=words):
        load(path, model)
    assert model.state_dict() == before
    with pytest.raises(error, match=words):
        load(path)


def test_another_architecture_is_refused_by_name(tmp_path):
    path = tmp_path / "m.json"
    save(MLP(2, [4, 1], seed=0), path)
    model = MLP(2, [8, 1], seed=1)
    before = model.state_dict()
    with pytest.raises(ModelFileError, match=r"holds MLP\(2 -> 4 -> 1, relu / linear\), but the model is MLP\(2 -> 8"):
        load(path, model)
    assert model.state_dict() == before


def test_missing_file_and_wrong_types(tmp_path):
    with pytest.raises(FileNotFoundError, match="no model file at .*nothing.json"):
        load(tmp_path / "nothing.json")
    with pytest.raises(IsADirectoryError, match="is a folder"):
        load(tmp_path)
    (tmp_path / "bin.json").write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(ModelFileError, match="not text"):
        load(tmp_path / "bin.json")
    with pytest.raises(TypeError, match="save writes an nn.MLP"):
        save("model", tmp_path / "x.json")  # type: ignore[arg-type]
