"""Small graphs that several test modules build, written once."""

from __future__ import annotations

from autograd import Value


def sigmoid_neuron() -> dict[str, Value]:
    """a = σ(w·x + b), E = ½ (t - a)² with w = 2, x = 1.5, b = -3, t = 1: z = 0, a = ½, every product exact
    in binary. Every Value by its label."""
    w, x, b, t = Value(2.0, "w"), Value(1.5, "x"), Value(-3.0, "b"), Value(1.0, "t")
    wx = w * x
    wx.label = "wx"
    z = wx + b
    z.label = "z"
    a = z.sigmoid()
    a.label = "a"
    d = t - a
    d.label = "d"
    q = d**2
    q.label = "q"
    E = 0.5 * q
    E.label = "E"
    return {"w": w, "x": x, "b": b, "t": t, "wx": wx, "z": z, "a": a, "d": d, "q": q, "E": E}
