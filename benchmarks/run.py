"""The harness: checks first, then rounds that alternate engines, medians, ratios, targets, table, JSON."""

from __future__ import annotations

import dataclasses
import datetime
import gc
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import digits, moons, workloads
from .view import bench_view

RESULTS = Path(__file__).parent / "results"
# Run in this process, alternating with chainrule; all but PyTorch at every n (micrograd: a child process).
PEERS = ("float floor", "float floor, unfused", "object floor", "chainrule, collector paused", "PyTorch scalar")


@dataclasses.dataclass
class Config:
    name: str = "full"
    points: int = 100
    moons_rounds: int = 5
    moons_engines: tuple[str, ...] = tuple(moons.ENGINES)
    ns: tuple[int, ...] = (10**3, 10**4, 10**5, 10**6)
    rounds: int = 3
    peer_max_n: int = 10**5  # PyTorch scalar and micrograd stop here (micrograd: ~76 s at 10^6)
    memory_n: int = 200_000
    peak_steps: int = 3
    demo: bool = True
    subprocesses: bool = True
    view: bool = True
    view_presses: int = 40
    digits: bool = True
    digits_subset: int = 96  # samples in the per-sample epoch on every engine (micrograd: ~0.1 s each)
    digits_rounds: int = 3
    digits_max_epochs: int = 60

    @classmethod
    def preset(cls, name: str) -> Config:
        if name == "quick":
            return cls("quick", moons_rounds=3, ns=(10**3, 10**4), rounds=2, peer_max_n=10**4, memory_n=50_000,
                       peak_steps=1, demo=False, view_presses=15, digits_subset=64, digits_rounds=1)  # fmt: skip
        if name == "smoke":  # seconds: keeps the code from rotting, measures nothing
            return cls("smoke", points=8, moons_rounds=1, ns=(30,), rounds=1, peer_max_n=30, memory_n=200,
                       peak_steps=1, demo=False, subprocesses=False, view=False, digits=False,
                       moons_engines=("chainrule", "chainrule compiled", "micrograd", "float floor"))  # fmt: skip
        return cls()


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def child(task: dict[str, Any], timeout: float = 900.0) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks.child", json.dumps(task)]
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=root, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    if p.returncode != 0 or not p.stdout.strip():
        tail = (p.stderr or "").strip().splitlines()[-1:] or [f"exit code {p.returncode}"]
        return {"error": f"crashed (exit code {p.returncode}): {tail[0]}"}
    return json.loads(p.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


# --- moons -------------------------------------------------------------------------------------------


def bench_moons(cfg: Config, loss: str) -> dict[str, Any]:
    data, layers = moons.moons(cfg.points), moons.initial_layers()
    engines = {name: moons.ENGINES[name](layers, data, loss) for name in cfg.moons_engines}
    # Check before timing: every engine's loss and updated weights agree with the floor's.
    checks = {}
    ref_loss = engines["float floor"].step()
    ref_w = engines["float floor"].weights()
    for name, e in engines.items():
        if name == "float floor":
            continue
        got = e.step()
        e.teardown()
        dw = max(abs(a - b) for a, b in zip(e.weights(), ref_w, strict=True))
        checks[name] = {"loss": got, "loss_diff": abs(got - ref_loss), "max_weight_diff": dw}
        if abs(got - ref_loss) > 1e-12 or dw > 1e-12:
            raise SystemExit(f"moons/{loss}: {name} computes loss {got!r}, the floor {ref_loss!r}: not timing it")
    times: dict[str, list[float]] = {name: [] for name in engines}
    names = list(engines)
    for r in range(cfg.moons_rounds):
        order = names[r % len(names) :] + names[: r % len(names)]  # rotate: noise hits every engine alike
        for name in order:
            e = engines[name]
            gc.collect()
            t = time.perf_counter()
            e.step()
            times[name].append(time.perf_counter() - t)
            e.teardown()
    engines.clear()
    gc.collect()
    ratios = {
        me: {peer: median([p / m for p, m in zip(times[peer], times[me], strict=True)]) for peer in times if peer != me}
        for me in ("chainrule", "chainrule compiled")
        if me in times
    }
    return {"loss": ref_loss, "checks": checks, "times": times,
            "median": {n: median(t) for n, t in times.items()}, "ratios": ratios}  # fmt: skip


# --- deep chain and wide sum -------------------------------------------------------------------------


def check_small(table: dict[str, Callable[[int], dict[str, Any]]], cfg: Config, what: str) -> None:
    """Every engine computes the same output and gradient (to 1e-12) before anything is timed."""
    ref = table["float floor"](50)
    for name, fn in table.items():
        if name in workloads.UNCHECKED or (name != "chainrule" and name not in _peers(cfg)):
            continue
        got = fn(50)
        if abs(got["out"] - ref["out"]) > 1e-12 or abs(got["grad"] - ref["grad"]) > 1e-12:
            raise SystemExit(f"{what}: {name} gives {got['out']!r}, {got['grad']!r}; the floor {ref['out']!r}, {ref['grad']!r}")


def _peers(cfg: Config) -> tuple[str, ...]:
    torch = "PyTorch scalar" in cfg.moons_engines or cfg.name != "smoke"
    return tuple(p for p in PEERS if torch or p != "PyTorch scalar")


def bench_phases(cfg: Config, what: str) -> dict[str, Any]:
    table = workloads.CHAIN if what == "chain" else workloads.WIDE
    check_small(table, cfg, what)
    out: dict[str, Any] = {}
    for n in cfg.ns:
        peers = [p for p in _peers(cfg) if p in table and (p != "PyTorch scalar" or n <= cfg.peer_max_n)]
        names = ["chainrule", *peers]
        rounds: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
        for r in range(cfg.rounds):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                res = table[name](n)
                rounds[name].append({k: res[k] for k in ("forward", "backward", "free", "total")})
                gc.collect()
        entry: dict[str, Any] = {name: _summary(rs) for name, rs in rounds.items()}
        for peer in peers:
            entry[peer]["chainrule_over_this"] = median(
                [a["total"] / b["total"] for a, b in zip(rounds["chainrule"], rounds[peer], strict=True)]
            )
        if n <= cfg.peer_max_n and cfg.subprocesses:
            task = {"kind": "phases", "workload": what, "engine": "micrograd", "n": n, "rounds": cfg.rounds}
            if n == cfg.ns[0]:
                shipped = child({**task, "rounds": 1})
                entry["micrograd, default recursion limit"] = (
                    {"error": shipped["error"]} if "error" in shipped else _summary(shipped["rounds"])
                )
            res = child({**task, "recursion_limit": 10**7})
            entry["micrograd"] = {"error": res["error"]} if "error" in res else _summary(res["rounds"])
            if "error" not in res:
                entry["micrograd"]["chainrule_over_this"] = entry["chainrule"]["total"] / entry["micrograd"]["total"]
                entry["micrograd"]["note"] = "child process, recursion limit raised to 10^7"
        out[str(n)] = entry
        log(f"  {what} n={n}: " + ", ".join(f"{k} {v.get('total', float('nan')):.3g} s" for k, v in entry.items()))
    return out


def _summary(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    return {k: median([r[k] for r in rounds]) for k in ("forward", "backward", "free", "total")} | {"rounds": len(rounds)}


# --- memory, demo ------------------------------------------------------------------------------------


def bench_memory(cfg: Config) -> dict[str, Any]:
    out: dict[str, Any] = {"per_node": {}, "peak": {}}
    engines = ["chainrule", "micrograd", "PyTorch scalar"]
    for engine in engines:
        if cfg.subprocesses:
            out["per_node"][engine] = child({"kind": "memory", "engine": engine, "n": cfg.memory_n})
        elif engine != "PyTorch scalar":
            out["per_node"][engine] = workloads.bytes_per_node(engine, cfg.memory_n)
    if cfg.subprocesses:
        for engine in cfg.moons_engines:
            out["peak"][engine] = child({"kind": "peak", "engine": engine, "points": cfg.points, "steps": cfg.peak_steps})
    return out


def bench_demo() -> dict[str, Any]:
    exe = Path(sys.executable).with_name("chainrule")
    if not exe.exists():
        return {"error": f"{exe} not found (nn's CLI not installed yet)"}
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        try:
            p = subprocess.run([str(exe), "train"], cwd=tmp, capture_output=True, text=True, timeout=900, check=False)
        except subprocess.TimeoutExpired:
            return {"error": "timed out after 900 s"}
        wall = time.perf_counter() - t
    if p.returncode != 0:
        tail = (p.stderr or p.stdout).strip().splitlines()[-1:] or ["?"]
        return {"error": f"exit code {p.returncode}: {tail[0]}", "wall_s": wall}
    return {"command": "chainrule train", "wall_s": wall, "last_line": (p.stdout.strip().splitlines() or [""])[-1]}


def bench_digits(cfg: Config) -> dict[str, Any]:
    """Issue 15: MLP(64, [32, 10]) on the digits, time to 95 % test accuracy and one epoch per sample."""
    try:
        digits.load()
    except ImportError as e:
        return {"error": str(e)}
    out: dict[str, Any] = {"to_target": {}}
    for compiled in (False, True):
        log(f"digits to {digits.TARGET:.0%} test accuracy, {'compiled' if compiled else 'interpreted'} ...")
        r = digits.time_to_target(compiled, cfg.digits_max_epochs)
        out["to_target"][r["engine"]] = r
        got = r["reached"]
        log(f"  {got['seconds']:.1f} s, {got['epochs']} epochs" if got else f"  not reached: {r['test_accuracy']:.3f}")
    log(f"digits, one epoch per sample on {cfg.digits_subset} samples ...")
    out["per_sample"] = digits.per_sample(cfg.digits_subset, cfg.digits_rounds)
    return out


# --- the machine, targets, report --------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    versions = {}
    for mod in ("torch", "micrograd"):
        try:
            from importlib.metadata import version

            versions[mod] = version(mod)
        except Exception:  # noqa: BLE001 -- not installed: reported as such
            versions[mod] = None
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                cwd=Path(__file__).parent, check=False).stdout.strip()  # fmt: skip
    except OSError:
        commit = ""
    return {"date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"), "python": platform.python_version(),
            "platform": platform.platform(), "cpu": cpu, "cores": os.cpu_count(), "load_start": os.getloadavg(),
            "commit": commit, **versions}  # fmt: skip


def targets(res: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target of issue 6 with the measured ratio (from this run) and pass/fail."""
    out = []

    def add(name: str, value: float | None, goal: float, higher: bool, unit: str = "x") -> None:
        ok = None if value is None or math.isnan(value) else (value >= goal if higher else value <= goal)
        out.append({"target": name, "measured": value, "goal": goal, "higher_is_better": higher, "unit": unit, "pass": ok})

    sq = res.get("moons", {}).get("squared")
    if sq:
        r = sq["ratios"].get("chainrule", {})
        add("moons step: micrograd as shipped / chainrule", r.get("micrograd"), 50, True)
        add("moons step: micrograd without gc / chainrule", r.get("micrograd, no gc"), 5, True)
        add("moons step: PyTorch scalar / chainrule", r.get("PyTorch scalar"), 20, True)
        floor = r.get("float floor")
        add("moons step: chainrule / float floor", 1 / floor if floor else None, 4, False)
        c = sq["ratios"].get("chainrule compiled", {}).get("float floor")
        add("moons step: chainrule compiled / float floor", 1 / c if c else None, 1.5, False)
    chain = res.get("chain", {}).get(str(10**6))
    if chain:
        # The target is against the cheapest float code (1 - y*y); the engine's fused, PyTorch-exact tanh rule
        # is part of what it costs. The fused floor is reported beside it.
        floor = chain.get("float floor, unfused", chain["float floor"])
        add("deep chain 10^6 (fwd + bwd + free): chainrule / float floor, unfused", floor["chainrule_over_this"], 25, False)
    mem = res.get("memory", {}).get("per_node", {}).get("chainrule", {})
    if "tracemalloc" in mem:
        add("memory per op node (tracemalloc)", mem["tracemalloc"], 250, False, " B")
    for name, v in res.get("view", {}).items():
        if isinstance(v, dict) and "max_ms" in v:
            add(f"step-through, per step (slowest of {v['presses']} presses): {name}", v["max_ms"], 50, False, " ms")
    for name, r in res.get("digits", {}).get("to_target", {}).items():
        seconds = r["reached"]["seconds"] if r["reached"] else math.nan
        add(f"digits, MLP(64, [32, 10]) to {digits.TARGET:.0%} test accuracy: {name}", seconds, digits.BUDGET_S, False, " s")
        add(f"digits, resident memory growth over training: {name}", r["rss_growth_mb"], 10, False, " MiB")
    return out


def fmt_s(s: float | None) -> str:
    if s is None or math.isnan(s):
        return "-"
    if s >= 0.9995:  # what rounds to 1000 ms is shown as 1.00 s, not 1e+03 ms
        return f"{s:.2f} s"
    if s >= 0.9995e-3:
        return f"{s * 1e3:.3g} ms"
    return f"{s * 1e6:.3g} µs"


def markdown(res: dict[str, Any]) -> str:
    m = res["machine"]
    lines = [(f"Benchmarks ({res['config']['name']} run), {m['date']}: Python {m['python']}, {m['cpu']}, {m['cores']} cores, "
             f"load average {m['load_start'][0]:.2f} at start, {res['load_end'][0]:.2f} at end; torch {m.get('torch')}, "
             f"micrograd {m.get('micrograd')}; commit {m['commit']}."), ""]  # fmt: skip
    moons_res = res.get("moons", {})
    if moons_res:
        lines += [(f"**Moons step**: MLP(2, [16, 16, 1]), {res['config']['points']} points, forward + backward + SGD; "
                  f"median of {res['config']['moons_rounds']} rounds; ratio = peer / chainrule, median of per-round ratios."), "",
                  "| engine | squared error | hinge + L2 | vs chainrule | vs compiled | note |", "|---|---|---|---|---|---|"]  # fmt: skip
        sq, hi = moons_res.get("squared", {}), moons_res.get("hinge", {})
        for name, cls in moons.ENGINES.items():
            if name not in sq.get("median", {}):
                continue
            r1 = sq["ratios"].get("chainrule", {}).get(name)
            r2 = sq["ratios"].get("chainrule compiled", {}).get(name)
            lines.append(f"| {name} | {fmt_s(sq['median'][name])} | {fmt_s(hi.get('median', {}).get(name))} | "
                         f"{f'{r1:.3g}x' if r1 else '-'} | {f'{r2:.3g}x' if r2 else '-'} | {cls.note} |")  # fmt: skip
        lines.append("")
    for what, title in (("chain", "Deep chain** y = tanh(y·0.5 + 0.1), n times"), ("wide", "Wide sum** Σ w_i·x_i of n products")):
        block = res.get(what)
        if not block:
            continue
        lines += [(f"**{title}: forward / backward / free (median of {res['config']['rounds']} rounds); "
                  "ratio = engine / chainrule (total)."), "",
                  "| n | engine | forward | backward | free | total | engine / chainrule |", "|---|---|---|---|---|---|---|"]  # fmt: skip
        for n, entry in block.items():
            for name, e in entry.items():
                if "error" in e:
                    lines.append(f"| {int(n):,} | {name} | {e['error'][:70]} | | | | |")
                    continue
                ratio = e.get("chainrule_over_this")
                rel = f"{1 / ratio:.3g}" if ratio else ""
                lines.append(f"| {int(n):,} | {name} | {fmt_s(e['forward'])} | {fmt_s(e['backward'])} | {fmt_s(e['free'])} | "
                             f"{fmt_s(e['total'])} | {rel} |")  # fmt: skip
        if what == "chain":
            lines += _object_floor_note(block)
        lines.append("")
    mem = res.get("memory")
    if mem:
        lines += [(f"**Memory**: bytes per `y = y + x` node (chain of {res['config']['memory_n']:,}); peak RSS of a child process "
                  f"that imports the engine and runs {res['config']['peak_steps']} moons steps."), "",
                  "| engine | B/node (tracemalloc) | B/node (RSS growth) | import | RSS of import | peak RSS |",
                  "|---|---|---|---|---|---|"]  # fmt: skip
        for name in moons.ENGINES:
            pn, pk = mem["per_node"].get(name, {}), mem["peak"].get(name, {})
            if not pn and not pk:
                continue
            tm = f"{pn['tracemalloc']:.0f}" if "tracemalloc" in pn else "-"
            tm = "(C++, not seen)" if name == "PyTorch scalar" and "tracemalloc" in pn else tm
            rss = f"{pn['rss']:.0f}" if "rss" in pn else "-"
            imp = fmt_s(pk.get("import_s")) if "import_s" in pk else "-"
            ri = f"{pk['rss_import'] / 2**20:.0f} MiB" if "rss_import" in pk else "-"
            peak = f"{pk['peak_rss'] / 2**20:.0f} MiB" if "peak_rss" in pk else pk.get("error", "-")
            lines.append(f"| {name} | {tm} | {rss} | {imp} | {ri} | {peak} |")
        lines.append("")
    demo = res.get("demo")
    if demo:
        shown = f"{demo['wall_s']:.1f} s" if "error" not in demo else f"not measured: {demo['error']}"
        lines += [f"**Demo**: `chainrule train` (default flags), wall time: {shown}.", ""]
    view = res.get("view")
    if view:
        lines += [("**Interactive step-through** (issue 13), in headless Chromium: time from a key press to the next "
                   "animation frame after the page changed."), "", "| view | steps | median | slowest |", "|---|---|---|---|"]
        if "error" in view:
            lines.append(f"| not measured: {view['error']} | | | |")
        for name, v in view.items():
            if isinstance(v, dict):
                lines.append(f"| {name} | {v['steps']} | {v['median_ms']:.1f} ms | {v['max_ms']:.1f} ms |")
        lines.append("")
    lines += _digits_lines(res.get("digits"))
    lines += ["**Targets** (issues 6, 13 and 15; figures from this run):", "", "| target | measured | goal | pass |", "|---|---|---|---|"]
    for t in res["targets"]:
        v = t["measured"]
        shown = "-" if v is None else (f"{v:.3g}{t['unit']}")
        goal = f"{'≥' if t['higher_is_better'] else '≤'} {t['goal']}{t['unit']}"
        lines.append(f"| {t['target']} | {shown} | {goal} | {'-' if t['pass'] is None else ('PASS' if t['pass'] else 'FAIL')} |")
    return "\n".join(lines) + "\n"


def _digits_lines(block: dict[str, Any] | None) -> list[str]:
    if not block:
        return []
    if "error" in block:
        return [f"**Digits** (issue 15): not measured: {block['error']}", ""]
    lines = [(f"**Digits** (issue 15): MLP(64, [32, 10]), ReLU, softmax cross-entropy, Adam (lr {digits.LR_ADAM}), "
              f"batches of {digits.BATCH}, seeded; training time until the test accuracy reaches {digits.TARGET:.0%} "
              "(measured after each epoch, off the clock)."), "",
             "| engine | epochs | training time | test accuracy | train accuracy | memory growth |", "|---|---|---|---|---|---|"]  # fmt: skip
    for name, r in block["to_target"].items():
        got = r["reached"]
        epochs, secs = (got["epochs"], f"{got['seconds']:.1f} s") if got else (len(r["epochs"]), "not reached")
        lines.append(f"| {name} | {epochs} | {secs} | {r['test_accuracy']:.1%} | {r['train_accuracy']:.1%} | "
                     f"{r['rss_growth_mb']:+.1f} MiB |")  # fmt: skip
    ps = block["per_sample"]
    lines += ["", (f"One SGD epoch on {ps['subset']} training samples (the same weights and batches; first losses checked "
                   "equal), time per sample; ratio = engine / chainrule. Vectorized PyTorch (`nn.Linear`, batched) on "
                   "the whole training set, for honesty: that is what tensors are for."), "",
              "| engine | per sample | engine / chainrule |", "|---|---|---|"]  # fmt: skip
    for name, t in ps["per_sample_s"].items():
        ratio = ps["ratios"].get(name)
        lines.append(f"| {name} | {fmt_s(t)} | {f'{ratio:.3g}x' if ratio else '1'} |")
    for name, why in ps.get("missing", {}).items():
        lines.append(f"| {name} | not installed: {why} | |")
    v = ps.get("vectorized")
    if v:
        ratio = v["per_sample_s"] / ps["per_sample_s"]["chainrule"]
        lines.append(f"| PyTorch vectorized ({v['samples']} samples) | {fmt_s(v['per_sample_s'])} | {ratio:.3g}x |")
    return [*lines, ""]


def _object_floor_note(block: dict[str, Any]) -> list[str]:
    """What the object floor says about the deep-chain target, at the largest n measured."""
    n = max(block, key=int)
    e = block[n]
    if "object floor" not in e or "float floor" not in e:
        return []
    floor_name = "float floor, unfused" if "float floor, unfused" in e else "float floor"
    floor = e[floor_name]["total"]
    objects, paused = e["object floor"]["total"] / floor, e.get("chainrule, collector paused", {}).get("total")
    note = (f"\nAt n = {int(n):,} the object floor alone takes {objects:.3g}x the {floor_name}: making and freeing the "
            "graph's Python objects with the cyclic collector on (its full collections rescan the growing graph)")
    if paused:
        note += f"; with the collector paused, chainrule takes {paused / floor:.3g}x"
    return [note + "."]


def run(cfg: Config, out_dir: Path | None = RESULTS) -> dict[str, Any]:
    res: dict[str, Any] = {"config": dataclasses.asdict(cfg), "machine": machine()}
    log(f"benchmarks: {cfg.name} run, load average {res['machine']['load_start']}")
    res["moons"] = {}
    for loss in ("squared", "hinge"):
        log(f"moons step, {loss} ...")
        res["moons"][loss] = bench_moons(cfg, loss)
        log("  " + ", ".join(f"{k} {fmt_s(v)}" for k, v in res["moons"][loss]["median"].items()))
    for what in ("chain", "wide"):
        log(f"{what} ...")
        res[what] = bench_phases(cfg, what)
    log("memory ...")
    res["memory"] = bench_memory(cfg)
    if cfg.demo:
        log("demo ...")
        res["demo"] = bench_demo()
    if cfg.view:
        log("interactive view, in Chromium ...")
        res["view"] = bench_view(cfg.view_presses)
    if cfg.digits:
        res["digits"] = bench_digits(cfg)
    res["load_end"] = os.getloadavg()
    res["targets"] = targets(res)
    table = markdown(res)
    print(table)
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "latest.json").write_text(json.dumps(res, indent=1, default=str) + "\n")
        (out_dir / "latest.md").write_text(table)
        log(f"wrote {out_dir / 'latest.json'} and {out_dir / 'latest.md'}")
    return res
