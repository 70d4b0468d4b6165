"""The benchmark suite runs (a smoke configuration of seconds), so its code cannot rot. No timing asserts."""

import importlib.util
import os

import pytest

if importlib.util.find_spec("micrograd") is None:  # a peer, in the dev and bench extras
    if os.environ.get("CI") == "true":
        raise ImportError("the benchmark peer micrograd must be installed in CI: pip install -e '.[dev]'")
    pytest.skip("the benchmark peer micrograd is not installed: pip install -e '.[dev]'", allow_module_level=True)


def test_smoke_run_checks_engines_agree_and_writes_results(tmp_path):
    from benchmarks.run import Config, run

    res = run(Config.preset("smoke"), tmp_path)
    assert (tmp_path / "latest.json").exists() and "| target |" in (tmp_path / "latest.md").read_text()
    for loss in ("squared", "hinge"):
        for check in res["moons"][loss]["checks"].values():  # every engine computed the floor's loss
            assert check["loss_diff"] <= 1e-12 and check["max_weight_diff"] <= 1e-12
    assert {t["target"].split(":")[0] for t in res["targets"]} >= {"moons step", "memory per op node (tracemalloc)"}


def test_floor_chain_matches_chainrule():
    from autograd import Value
    from benchmarks import floor

    x = Value(0.3)
    y = x
    for _ in range(20):
        y = (y * 0.5 + 0.1).tanh()
    y.backward()
    assert floor.chain(0.3, 20) == (y.data, x.grad)


def test_the_object_floor_makes_the_objects_chainrules_chain_makes():
    """The floor is a lower bound only while it holds what the engine holds: as many objects the cyclic
    collector tracks, per step of the chain."""
    import gc

    from autograd import Value
    from benchmarks.workloads import chain_of_objects, node_class

    def tracked_objects_made(build):
        gc.collect()
        gc.disable()
        try:
            before = len(gc.get_objects())
            kept = build()
            made = len(gc.get_objects()) - before
            del kept
        finally:
            gc.enable()
        return made

    def chainrule(n=1000):
        y = Value(0.3)
        for _ in range(n):
            y = (y * 0.5 + 0.1).tanh()
        return y

    node = node_class()
    ours, floor = tracked_objects_made(chainrule), tracked_objects_made(lambda: chain_of_objects(1000, node))
    assert ours == floor and 8000 <= floor <= 8010
