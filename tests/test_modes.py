"""no_grad and detect_anomaly: context managers, thread-safe, nothing half-updated."""

from __future__ import annotations

import math
import threading

import pytest

from autograd import Value, detect_anomaly, dot, is_anomaly_enabled, is_grad_enabled, no_grad


def test_no_grad_records_no_graph_and_restores_afterwards():
    x = Value(2.0)
    with no_grad():
        assert not is_grad_enabled()
        y = x * x + 1
    assert is_grad_enabled()
    assert y.data == 5.0 and y.inputs == () and y.op is None
    z = x * x
    assert z.inputs == (x, x)


def test_no_grad_is_per_thread():
    seen = {}
    inside = threading.Event()
    done = threading.Event()

    def other():
        inside.wait()
        seen["other"] = (Value(1.0) * 2).inputs != ()
        done.set()

    t = threading.Thread(target=other)
    t.start()
    with no_grad():
        inside.set()
        done.wait()
        seen["here"] = (Value(1.0) * 2).inputs != ()
    t.join()
    assert seen == {"other": True, "here": False}


def test_no_grad_restores_after_an_exception():
    with pytest.raises(ZeroDivisionError), no_grad():
        Value(1.0) / 0
    assert is_grad_enabled()


def test_detect_anomaly_names_the_first_op_that_makes_nan_or_inf_in_the_forward():
    x = Value(1e308)
    with detect_anomaly():
        assert is_anomaly_enabled()
        y = x * 0.5  # fine
        with pytest.raises(FloatingPointError, match=r"^\* produced inf from inputs \(5e\+307, 20.0\)"):
            y * 20.0
    assert not is_anomaly_enabled()
    assert (x * 10.0).data == math.inf  # outside: inf propagates as floats do


def test_detect_anomaly_names_the_op_in_the_backward_and_leaves_every_grad_as_it_was():
    a = Value(0.0)
    b = Value(3.0)
    y = a.sqrt() * b  # forward fine; d sqrt(a)/da at 0 is infinite
    y.backward()
    before = (a.grad, b.grad, y.grad)
    assert math.isinf(before[0])  # outside the context: inf, as PyTorch gives
    with detect_anomaly(), pytest.raises(FloatingPointError, match="backward of sqrt produced inf for input 0"):
        y.backward()
    assert (a.grad, b.grad, y.grad) == before


def test_detect_anomaly_passes_clean_graphs_with_the_same_grads():
    a = Value(0.7)
    y = (a * 3).tanh() * a.exp()
    with detect_anomaly():
        y.backward()
    checked = a.grad
    a.grad = 0.0
    y.backward()
    assert a.grad == checked


def test_detect_anomaly_passes_a_neuron_whose_relu_is_off():
    """dot sends nothing back when its upstream gradient is 0: the checked loop takes that as the engine does."""
    w = [Value(1.0), Value(2.0)]
    z = dot(w, [-1.0, -1.0]).relu()  # z < 0: relu' = 0, so dot's upstream gradient is 0
    with detect_anomaly():
        z.backward()
    assert [v.grad for v in w] == [0.0, 0.0]
