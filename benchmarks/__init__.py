"""chainrule's benchmark suite (issue 6): every workload on chainrule and, in the same run, on micrograd,
scalar PyTorch, a hand-written float floor, and vectorized PyTorch as a reference line.

Run `make bench` (or `python -m benchmarks`, `--quick`, `--smoke`). Results go to benchmarks/results/.
"""
