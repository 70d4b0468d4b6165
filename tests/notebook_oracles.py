"""Oracles that more than one notebook's checks use (tests/notebook_checks/), written once, by hand.

The checks run in a notebook's kernel, where tests/test_notebooks.py puts the repository's root on
sys.path first, so that they can `from tests.notebook_oracles import ...`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any


def tanh_2_8_1(p: Sequence[float], batch: Sequence[int], X: Sequence[Sequence[float]], y: Sequence[float]) -> tuple[float, list[float]]:
    """C_B = 1/(2|B|) Σ (o - y)² of the 2-8-1 tanh network (notebooks 8 and 9) and its gradient, by the
    delta rule. `p` is flat in model.parameters() order: each hidden neuron's w1, w2, b; then the output's."""
    W = [[p[3 * j], p[3 * j + 1]] for j in range(8)]
    B, V, C = [p[3 * j + 2] for j in range(8)], p[24:32], p[32]
    gW, gB, gV, gC, loss = [[0.0, 0.0] for _ in W], [0.0] * 8, [0.0] * 8, 0.0, 0.0
    for i in batch:
        x, t = X[i], y[i]
        hs = [math.tanh(wj[0] * x[0] + wj[1] * x[1] + bj) for wj, bj in zip(W, B, strict=True)]
        o = math.tanh(sum(vj * hj for vj, hj in zip(V, hs, strict=True)) + C)
        loss += (o - t) ** 2 / (2 * len(batch))
        d_o = (o - t) / len(batch) * (1 - o * o)
        gC += d_o
        for j, hj in enumerate(hs):
            gV[j] += d_o * hj
            d_h = d_o * V[j] * (1 - hj * hj)
            gW[j][0] += d_h * x[0]
            gW[j][1] += d_h * x[1]
            gB[j] += d_h
    return loss, [g for wj, bj in zip(gW, gB, strict=True) for g in (*wj, bj)] + gV + [gC]


def torch_2_2_2(weights: Mapping[str, float], X: Sequence[float], T: Sequence[float]) -> tuple[dict[str, Any], Any, Any]:
    """The 2-2-2 sigmoid network of notebooks 4 and 5 (no biases, E = ½ Σ (t - o)²) in PyTorch float64,
    after E.backward(): its weight tensors w1..w8 by name and its hidden activations h1, h2 (grads kept)."""
    import torch

    tw = {n: torch.tensor(v, dtype=torch.float64, requires_grad=True) for n, v in weights.items()}
    th1 = torch.sigmoid(tw["w1"] * X[0] + tw["w2"] * X[1])
    th2 = torch.sigmoid(tw["w3"] * X[0] + tw["w4"] * X[1])
    th1.retain_grad()
    th2.retain_grad()
    to1 = torch.sigmoid(tw["w5"] * th1 + tw["w6"] * th2)
    to2 = torch.sigmoid(tw["w7"] * th1 + tw["w8"] * th2)
    (0.5 * (T[0] - to1) ** 2 + 0.5 * (T[1] - to2) ** 2).backward()
    return tw, th1, th2
