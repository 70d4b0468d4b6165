"""Work run in a child process: one engine, one measurement, a JSON line on stdout.

`python -m benchmarks.child '<json task>'`. A child has a fresh heap (so peak RSS is the engine's own) and
can hit a recursion limit or crash without taking the benchmark down.
"""

from __future__ import annotations

import json
import resource
import sys
import threading
import time
import traceback
from typing import Any


def phases(task: dict[str, Any]) -> dict[str, Any]:
    from . import workloads

    fn = (workloads.CHAIN if task["workload"] == "chain" else workloads.WIDE)[task["engine"]]
    return {"rounds": [fn(task["n"]) for _ in range(task["rounds"])]}


def peak(task: dict[str, Any]) -> dict[str, Any]:
    """Import the engine, then run a few moons steps: time to import, RSS after import, peak RSS."""
    from . import moons, workloads

    engine = task["engine"]
    module = {"chainrule": "autograd", "chainrule compiled": "autograd", "float floor": "math"}.get(engine, "")
    module = module or ("torch" if "PyTorch" in engine else "micrograd.engine")
    rss0 = workloads.rss_bytes()
    t = time.perf_counter()
    __import__(module)
    import_s = time.perf_counter() - t
    rss_import = workloads.rss_bytes()
    data, layers = moons.moons(task["points"]), moons.initial_layers()
    e = moons.ENGINES[engine](layers, data, "squared")
    for _ in range(task["steps"]):
        e.step()
        e.teardown()
    return {"import_s": import_s, "rss_import": rss_import - rss0, "rss_start": rss0, "peak_rss": peak_rss()}


def peak_rss() -> int:
    """This process's peak resident set: VmHWM (ru_maxrss would include the parent's, kept across exec)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def run(task: dict[str, Any]) -> dict[str, Any]:
    kind = task["kind"]
    if kind == "phases":
        return phases(task)
    if kind == "memory":
        from .workloads import bytes_per_node

        return bytes_per_node(task["engine"], task["n"])
    if kind == "peak":
        return peak(task)
    raise ValueError(f"unknown task {kind!r}")


def main() -> None:
    task = json.loads(sys.argv[1])
    result: dict[str, Any] = {}

    def target() -> None:
        try:
            result.update(run(task))
        except RecursionError as e:
            result["error"] = f"RecursionError ({e}) at recursion limit {sys.getrecursionlimit()}"
        except BaseException as e:  # noqa: BLE001 -- reported to the parent, which carries on
            result["error"] = f"{type(e).__name__}: {e}"
            result["traceback"] = traceback.format_exc(limit=3)

    if task.get("recursion_limit"):
        sys.setrecursionlimit(task["recursion_limit"])
        threading.stack_size(1 << 29)  # 512 MiB for the C stack of a deep recursion
        thread = threading.Thread(target=target)
        thread.start()
        thread.join()
    else:
        target()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
