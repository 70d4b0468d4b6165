"""`python -m benchmarks [--quick | --smoke] [--out DIR]`: every workload on chainrule and its peers."""

from __future__ import annotations

import argparse
from pathlib import Path

from .run import RESULTS, Config, run


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="fewer rounds, n up to 10^4, no demo (~1 min)")
    size.add_argument("--smoke", action="store_true", help="a few seconds: checks the code runs, measures nothing")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"where latest.json/.md go (default {RESULTS})")
    args = parser.parse_args()
    run(Config.preset("quick" if args.quick else "smoke" if args.smoke else "full"), args.out)


if __name__ == "__main__":
    main()
