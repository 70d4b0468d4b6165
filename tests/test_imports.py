"""The engine core imports only the standard library, and autograd never imports nn."""

import subprocess
import sys
import textwrap

PROBE = textwrap.dedent(
    """
    import sys
    before = set(sys.modules)
    import autograd
    new = set(sys.modules) - before
    top = {m.split(".")[0] for m in new}
    foreign = sorted(t for t in top if t != "autograd" and t not in sys.stdlib_module_names)
    print(",".join(foreign) or "-")
    print("nn" in sys.modules)
    """
)


def test_import_autograd_loads_no_nn_and_no_third_party_module():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True).stdout
    foreign, nn_loaded = out.split()
    assert foreign == "-", f"import autograd loaded third-party modules: {foreign}"
    assert nn_loaded == "False"


def test_nn_refuses_a_foreign_autograd(tmp_path):
    fake = tmp_path / "autograd"
    fake.mkdir()
    (fake / "__init__.py").write_text("")  # an 'autograd' without chainrule's marker, first on the path
    code = f"import sys; sys.path.insert(0, {str(tmp_path)!r}); import nn"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode != 0
    assert "own virtual environment" in result.stderr


def test_autograd_refuses_to_load_over_hips_files(tmp_path):
    import pathlib
    import shutil

    import autograd

    copy = tmp_path / "autograd"
    shutil.copytree(pathlib.Path(autograd.__file__).parent, copy)
    (copy / "numpy").mkdir()  # HIPS autograd installed into the same folder leaves autograd/numpy/
    code = f"import sys; sys.path.insert(0, {str(tmp_path)!r}); import autograd"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode != 0
    assert "HIPS" in result.stderr and "own virtual environment" in result.stderr


def test_a_star_import_hides_no_builtin():
    """autograd.sum and autograd.compile mirror torch.sum and torch.compile; `from autograd import *`
    must not replace Python's sum() and compile() in the importing module."""
    import builtins

    scope: dict[str, object] = {}
    exec("from autograd import *", scope)  # noqa: S102 -- a fixed string: the star import under test
    assert not set(scope) & set(dir(builtins))
    import autograd

    assert autograd.sum([autograd.Value(1.0), 2.0]).data == 3.0 and callable(autograd.compile)
