"""`chainrule train`: the demo's defaults reach 100% training accuracy; files written; clear flag errors."""

import json
import subprocess
import sys

import pytest

from nn import load
from nn.cli import main


def test_the_demo_defaults_reach_100_percent_and_write_every_file(tmp_path, capsys):
    out = tmp_path / "demo-output"
    assert main(["train", "--out", str(out), "--no-progress"]) == 0
    text = capsys.readouterr().out
    assert "moons: 100 points, noise 0.1; MLP(2 -> 16 -> 16 -> 1, relu / linear)" in text
    assert "squared_error loss" in text
    assert "training accuracy 100.0%" in text
    assert sorted(p.name for p in out.iterdir()) == ["decision_boundary.png", "loss.png", "model.json", "neuron.svg"]
    for png in ("loss.png", "decision_boundary.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = (out / "neuron.svg").read_text()
    assert "<svg" in svg and "dot" in svg and "relu" in svg
    assert repr(load(out / "model.json")) == "MLP(2 -> 16 -> 16 -> 1, relu / linear)"


@pytest.mark.parametrize(
    "flags",
    [
        ["--dataset", "xor", "--optimizer", "sgd", "--loss", "hinge", "--batch-size", "1"],
        ["--dataset", "circles", "--optimizer", "cg", "--batch-size", "full", "--hidden", "4"],
        ["--dataset", "blobs", "--loss", "bce", "--output-activation", "linear", "--schedule", "linear"],
        ["--dataset", "spirals", "--optimizer", "nesterov", "--activation", "tanh", "--schedule", "step"],
        ["--dataset", "xor", "--loss", "hinge", "--batch-size", "1", "--l2", "0.001", "--compiled"],
        ["--dataset", "circles", "--optimizer", "cg", "--batch-size", "full", "--hidden", "4", "--compiled"],
        ["--dataset", "blobs", "--loss", "bce", "--compiled"],
    ],
)
def test_other_flags_run(tmp_path, capsys, flags):
    args = ["train", "--out", str(tmp_path), "--no-progress", "--no-plots", "--epochs", "2", "--samples", "20"]
    assert main(args + flags) == 0
    text = capsys.readouterr().out
    assert "training accuracy" in text
    assert (", compiled" in text) == ("--compiled" in flags)
    assert json.loads((tmp_path / "model.json").read_text())["format"] == "chainrule.nn.MLP"


@pytest.mark.parametrize(
    "flags, words",
    [
        (["--dataset", "mnist"], "invalid choice: 'mnist'"),
        (["--epochs", "0"], "expected a number >= 1, got 0"),
        (["--lr", "-1"], "expected a finite number > 0, got -1"),
        (["--hidden", "16,x"], "expected layer widths such as 16,16"),
        (["--batch-size", "zero"], "expected a whole number, got 'zero'"),
        (["--optimizer", "cg"], "full-batch method: add --batch-size full"),
        (["--activation", "gelu"], "invalid choice: 'gelu'"),
    ],
)
def test_bad_flags_get_argparse_errors(tmp_path, capsys, flags, words):
    with pytest.raises(SystemExit) as info:
        main(["train", "--out", str(tmp_path), "--no-progress"] + flags)
    assert info.value.code == 2
    assert words in capsys.readouterr().err


def test_an_unwritable_output_folder_fails_before_training(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(SystemExit) as info:
        main(["train", "--out", str(blocker / "sub"), "--epochs", "1"])
    assert info.value.code == 2
    err = capsys.readouterr()
    assert "--out" in err.err and "cannot write there" in err.err
    assert "moons:" not in err.out  # nothing was trained


def test_python_dash_m_nn_is_the_same_command():
    result = subprocess.run([sys.executable, "-m", "nn", "train", "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    for flag in ("--dataset", "--hidden", "--activation", "--loss", "--optimizer", "--lr", "--epochs",
                 "--batch-size", "--seed", "--compiled", "--out"):  # fmt: skip
        assert flag in result.stdout
