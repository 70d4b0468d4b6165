"""Toy data sets: shapes, classes, seeds, geometry without noise; the digits; train_test_split (stratified
too); label encodings."""

import math
import random
import sys
from collections import Counter

import pytest

from autograd import Value
from nn import data
from nn.data import (
    DATASETS,
    DIGITS,
    blobs,
    circles,
    digits,
    moons,
    one_hot,
    signed,
    spirals,
    train_test_split,
    xor,
)

from .conftest import require
from .probe import Call, ids, np, refused, sweep


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_every_data_set_is_seeded_2d_and_labelled(name):
    make = DATASETS[name]
    X, y = make(50, noise=0.1, seed=3)
    assert len(X) == len(y) == 50
    assert all(len(p) == 2 and all(isinstance(v, float) and math.isfinite(v) for v in p) for p in X)
    assert set(y) == {0, 1} and all(type(c) is int for c in y)
    assert make(50, noise=0.1, seed=3) == (X, y)
    assert make(50, noise=0.1, seed=4)[0] != X


def test_moons_without_noise_lie_on_make_moons_half_circles():
    X, y = moons(20, noise=0.0)
    for (a, b), c in zip(X, y):
        if c == 0:  # upper half circle centred at (0, 0)
            assert math.hypot(a, b) == pytest.approx(1.0, abs=1e-12) and b >= -1e-12
        else:  # lower half circle centred at (1, 0.5)
            assert math.hypot(a - 1.0, b - 0.5) == pytest.approx(1.0, abs=1e-12) and b <= 0.5 + 1e-12
    assert y.count(0) == y.count(1) == 10
    ends = sorted((round(a, 9), round(b, 9)) for a, b in X)
    assert ends[0] == (-1.0, 0.0) and ends[-1] == (2.0, 0.5)  # sklearn's endpoints


def test_other_shapes():
    X, y = circles(10, noise=0.0, factor=0.3)
    assert all(math.hypot(*p) == pytest.approx(1.0 if c == 0 else 0.3) for p, c in zip(X, y))
    X, y = xor(8, noise=0.0)
    assert all((p[0] * p[1] < 0) == (c == 1) for p, c in zip(X, y))
    X, y = spirals(30, noise=0.0, arms=3)
    assert sorted(set(y)) == [0, 1, 2] and max(math.hypot(*p) for p in X) == pytest.approx(1.0)
    X, y = blobs(40, noise=0.05, centers=4)
    assert sorted(set(y)) == [0, 1, 2, 3]
    for c in range(4):  # each blob is tight around a point at radius 2
        pts = [p for p, k in zip(X, y) if k == c]
        cx, cy = sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)
        assert math.hypot(cx, cy) == pytest.approx(2.0, abs=0.1)  # 10 draws of std 0.05: mean within 0.1


@pytest.mark.parametrize("k", range(3, 11))
@pytest.mark.parametrize("make, option", [(spirals, "arms"), (blobs, "centers")])
def test_spirals_and_blobs_have_k_classes_of_even_size(make, option, k):
    X, y = make(103, noise=0.1, seed=1, **{option: k})
    assert len(X) == len(y) == 103 and all(len(p) == 2 for p in X)
    counts = Counter(y)
    assert sorted(counts) == list(range(k))
    assert max(counts.values()) - min(counts.values()) <= 1  # 103 points as even as k divides them


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: moons(1), ValueError, "n must be >= 2 and <= 10000000, got 1"),
        (lambda: moons(10, noise=-0.1), ValueError, "noise must be >= 0, got -0.1"),
        (lambda: moons(10.0), TypeError, "n must be an int"),
        (lambda: moons(10, seed="a"), TypeError, "seed must be an int"),
        (lambda: circles(10, factor=1.5), ValueError, "factor must be > 0 and < 1, got 1.5"),
        (lambda: spirals(10, arms=1), ValueError, "arms must be >= 2 and <= 10, got 1"),
        (lambda: blobs(10, centers=1), ValueError, "centers must be >= 2 and <= 10, got 1"),
    ],
)
def test_bad_arguments(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_train_test_split():
    X, y = moons(50, seed=0)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, seed=1)
    assert (len(X_train), len(X_test), len(y_train), len(y_test)) == (40, 10, 40, 10)
    pairs = {(tuple(p), c) for p, c in zip(X, y)}
    assert {(tuple(p), c) for p, c in zip(X_train + X_test, y_train + y_test)} == pairs  # a partition, pairs kept
    assert train_test_split(X, y, test_size=0.2, seed=1) == (X_train, X_test, y_train, y_test)
    assert len(train_test_split(X, y, test_size=7)[1]) == 7
    with pytest.raises(ValueError, match="X has 50 samples but y has 49 labels"):
        train_test_split(X, y[:-1])
    with pytest.raises(ValueError, match="test_size must be > 0 and < 1, got 1.5"):
        train_test_split(X, y, test_size=1.5)
    with pytest.raises(ValueError, match="test_size must be >= 1 and <= 49, got 50"):
        train_test_split(X, y, test_size=50)


def test_a_stratified_split_keeps_each_class_in_proportion():
    # 6 of class 0, 3 of class 1, 1 of class 2; 3 to test: ⌊3·6/10⌋ = 1 (remainder 8/10), ⌊3·3/10⌋ = 0
    # (9/10), ⌊3·1/10⌋ = 0 (3/10); the 2 left over go to the largest remainders, classes 1 and 0
    X, y = [[float(i)] for i in range(10)], [0] * 6 + [1] * 3 + [2]
    for seed in range(20):
        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, seed=seed, stratify=True)
        assert Counter(y_test) == {0: 2, 1: 1} and Counter(y_train) == {0: 4, 1: 2, 2: 1}
        assert sorted(X_train + X_test) == X
        assert all(y[int(x[0])] == c for x, c in zip(X_train + X_test, y_train + y_test))  # pairs kept
    assert train_test_split(X, y, 0.3, seed=5, stratify=True) == train_test_split(X, y, 0.3, 5, True)
    tests = {tuple(map(tuple, train_test_split(X, y, 0.3, seed=s, stratify=True)[1])) for s in range(20)}
    assert len(tests) > 1  # the seed chooses which samples of a class are held out
    X, y = moons(200, seed=0)
    y_test = train_test_split(X, y, test_size=51, seed=3, stratify=True)[3]
    assert sorted(Counter(y_test).values()) == [25, 26]  # 25.5 each: one class gets the extra sample
    # a test set not grouped by class: the 20 moons held out are not 10 of one class, then 10 of the other
    y_test = train_test_split(*moons(100, seed=0), test_size=20, seed=0, stratify=True)[3]
    assert y_test != sorted(y_test) and y_test != sorted(y_test, reverse=True)


def test_unstratified_splits_are_as_before():
    X, y = moons(30, seed=0)  # the plain split shuffles 0..n-1 with random.Random(seed), then cuts
    order = list(range(30))
    random.Random(7).shuffle(order)
    assert train_test_split(X, y, test_size=6, seed=7)[1] == [X[i] for i in order[:6]]


# ---------------------------------------------------------------------------------------------------
# The digits: scikit-learn's copy, as pure Python lists


def test_digits_are_scikit_learns_images_scaled_to_0_1_and_split_by_class():
    load_digits = require("sklearn.datasets").load_digits
    bunch = load_digits()
    X_train, X_test, y_train, y_test = digits()
    assert all(type(x) is list and len(x) == 64 and all(type(v) is float for v in x) for x in X_train)
    assert [len(part) for part in (X_train, X_test, y_train, y_test)] == [1437, 360, 1437, 360]  # ⌈0.2·1797⌉
    assert DIGITS == len(bunch.target) == 1797
    assert all(type(x) is list and len(x) == 64 and all(type(v) is float for v in x) for x in X_test)
    assert all(type(c) is int and 0 <= c <= 9 for c in y_train + y_test)
    # scaling: pixel / 16, so 16·x gives back scikit-learn's ink levels 0..16 exactly; same images and labels
    ours = Counter((tuple(16 * v for v in x), c) for x, c in zip(X_train + X_test, y_train + y_test))
    theirs = Counter((tuple(row), int(c)) for row, c in zip(bunch.data.tolist(), bunch.target.tolist()))
    assert ours == theirs
    assert min(min(x) for x in X_train) == 0.0 and max(max(x) for x in X_train) == 1.0
    # stratified: each digit's share of the test set is within one image of 20% of its count
    everything = Counter(int(c) for c in bunch.target)
    held_out = Counter(y_test)
    assert all(abs(held_out[c] - 0.2 * everything[c]) < 1 for c in range(10))


def test_digits_are_seeded_and_n_takes_a_stratified_subset():
    first = digits(seed=1)
    assert digits(seed=1) == first
    assert digits(seed=2)[3] != first[3]
    assert [len(part) for part in digits(test_size=100)] == [1697, 100, 1697, 100]
    X_train, X_test, y_train, y_test = digits(200, test_size=0.25, seed=3)
    assert (len(X_train), len(X_test)) == (150, 50)
    everything = Counter(digits()[2] + digits()[3])
    drawn = Counter(y_train + y_test)  # 200 of the 1797, by class: within one image of 200/1797 of each class
    assert all(abs(drawn[c] - 200 * everything[c] / 1797) < 1 for c in range(10))
    assert digits(200, test_size=0.25, seed=3) == (X_train, X_test, y_train, y_test)
    assert digits(1797, seed=1) == first  # n = all of them is the whole set
    X_train, X_test, y_train, y_test = digits(2)
    assert len(X_train) == len(X_test) == 1


def test_digits_returns_fresh_lists():
    X_train, _, y_train, _ = digits(20)
    X_train[0][0] = 99.0
    y_train.append(5)
    assert digits(20)[0][0][0] != 99.0 and len(digits(20)[2]) == 16


def test_without_scikit_learn_digits_says_what_to_install(monkeypatch):
    monkeypatch.setattr(data, "_digit_images", data._digit_images.__wrapped__)  # not the cached images
    for name in [m for m in sys.modules if m == "sklearn" or m.startswith("sklearn.")] or ["sklearn"]:
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ModuleNotFoundError) as info:
        digits()
    assert str(info.value) == ("digits needs scikit-learn (it bundles the images): pip install 'chainrule[data]' "
                               "(or pip install scikit-learn)")  # fmt: skip
    assert info.value.name == "sklearn"


def test_digits_checks_test_size_and_seed_before_loading_the_images(monkeypatch):
    def never():
        raise AssertionError("the images were loaded")

    monkeypatch.setattr(data, "_digit_images", never)
    for options, error in [({"test_size": 1.0}, ValueError), ({"test_size": 20}, ValueError),
                           ({"seed": 1.5}, TypeError), ({"test_size": 0.99}, ValueError)]:  # fmt: skip
        with pytest.raises(error):
            digits(20, **options)  # 0.99 of 20 rounds up to all 20: none left to train on


def test_label_encodings():
    assert signed([1, 0]) == [1.0, -1.0]
    assert one_hot([1, 0], 3) == [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]
    with pytest.raises(ValueError, match="signed needs labels 0 or 1, got 2 at 1"):
        signed([0, 2])
    with pytest.raises(ValueError, match="one_hot needs int labels in 0..1, got 2"):
        one_hot([0, 2], 2)


# ---------------------------------------------------------------------------------------------------
# Wrong arguments: refused by name, never a raw error from inside (tests/probe.py)

_X, _y = moons(50, seed=0)
BAD_ARGUMENTS = [
    (Call(moons, 1), ValueError, "n must be >= 2 and <= 10000000, got 1"),
    (Call(moons, 10.0), TypeError, "n must be an int, got float: 10.0"),
    (Call(moons, True), TypeError, "n must be an int, got bool: True"),
    (Call(moons, None), TypeError, "n must be an int, got NoneType"),
    (Call(moons, 10**400), ValueError, "n must be >= 2 and <= 10000000, got 1000"),
    (Call(xor, 0), ValueError, "n must be >= 1 and <= 10000000, got 0"),
    (Call(xor, 10**9), ValueError, "n must be >= 1 and <= 10000000, got 1000000000"),
    (Call(moons, 10, noise=-0.1), ValueError, "noise must be >= 0, got -0.1"),
    (Call(moons, 10, noise=math.nan), ValueError, "noise must be a finite number >= 0, got nan"),
    (Call(circles, 10, noise=math.inf), ValueError, "noise must be a finite number >= 0, got inf"),
    (Call(xor, 10, noise="0.1"), TypeError, "noise must be a real number, got str: '0.1'"),
    (Call(spirals, 10, noise=None), TypeError, "noise must be a real number, got NoneType"),
    (Call(blobs, 10, noise=10**400), ValueError, "noise must be a finite number >= 0, got 1000"),
    (Call(moons, 10, seed="a"), TypeError, "seed must be an int, got str: 'a'"),
    (Call(blobs, 10, seed=1.5), TypeError, "seed must be an int, got float: 1.5"),
    (Call(circles, 10, factor=1.5), ValueError, "factor must be > 0 and < 1, got 1.5"),
    (Call(circles, 10, factor=0), ValueError, "factor must be > 0 and < 1, got 0"),
    (Call(circles, 10, factor=math.nan), ValueError, "factor must be a finite number > 0 and < 1, got nan"),
    (Call(circles, 10, factor="half"), TypeError, "factor must be a real number, got str"),
    (Call(spirals, 10, arms=1), ValueError, "arms must be >= 2 and <= 10, got 1"),
    (Call(spirals, 10, arms=11), ValueError, "arms must be >= 2 and <= 10, got 11"),
    (Call(spirals, 10, arms=10**9), ValueError, "arms must be >= 2 and <= 10, got 1000000000"),
    (Call(spirals, 10, arms=2.0), TypeError, "arms must be an int, got float"),
    (Call(blobs, 10, centers=1), ValueError, "centers must be >= 2 and <= 10, got 1"),
    (Call(blobs, 10, centers=10**400), ValueError, "centers must be >= 2 and <= 10, got 1000"),
    (Call(blobs, 10, centers=None), TypeError, "centers must be an int, got NoneType"),
    (Call(train_test_split, _X, _y, test_size=-1), ValueError, "test_size must be >= 1 and <= 49, got -1"),
    (Call(train_test_split, _X, _y, test_size=0), ValueError, "test_size must be >= 1 and <= 49, got 0"),
    (Call(train_test_split, _X, _y, test_size=50), ValueError, "test_size must be >= 1 and <= 49, got 50"),
    (Call(train_test_split, _X, _y, test_size=0.0), ValueError, "test_size must be > 0 and < 1, got 0.0"),
    (Call(train_test_split, _X, _y, test_size=1.0), ValueError, "test_size must be > 0 and < 1, got 1.0"),
    (Call(train_test_split, _X, _y, test_size=-0.2), ValueError, "test_size must be > 0 and < 1, got -0.2"),
    (Call(train_test_split, _X, _y, test_size=math.nan), ValueError, "test_size must be a finite number"),
    (Call(train_test_split, _X, _y, test_size="0.2"), TypeError, "test_size must be a real number, got str"),
    (Call(train_test_split, _X, _y, test_size=True), TypeError, "test_size must be a real number, got bool"),
    (Call(train_test_split, _X, _y, test_size=0.999), ValueError, "leaves no sample of 50 to train on"),
    (Call(train_test_split, _X, _y, seed=None), TypeError, "seed must be an int, got NoneType"),
    (Call(train_test_split, None, _y), TypeError, "X must be a list of samples, got NoneType"),
    (Call(train_test_split, _X, 5), TypeError, "y must be a list of labels, got int: 5"),
    (Call(train_test_split, _X, _y[:-1]), ValueError, "X has 50 samples but y has 49 labels"),
    (Call(train_test_split, [[0.0, 0.0]], [0]), ValueError, "train_test_split needs at least 2 samples"),
    (Call(train_test_split, _X, _y, stratify=1), TypeError, "stratify must be True or False, got int: 1"),
    (Call(train_test_split, [[0.0], [1.0]], [[1.0, 0.0], [0.0, 1.0]], stratify=True), TypeError,
     "stratify=True needs class labels in y (ints, or other hashable values), got list at 0: [1.0, 0.0]"),
    (Call(digits, 1), ValueError, "n must be >= 2 and <= 1797, got 1"),
    (Call(digits, 1798), ValueError, "n must be >= 2 and <= 1797, got 1798"),
    (Call(digits, 10.0), TypeError, "n must be an int, got float: 10.0"),
    (Call(digits, test_size=1.5), ValueError, "test_size must be > 0 and < 1, got 1.5"),
    (Call(digits, 10, test_size=10), ValueError, "test_size must be >= 1 and <= 9, got 10"),
    (Call(digits, seed="a"), TypeError, "seed must be an int, got str: 'a'"),
    (Call(signed, None), TypeError, "labels must be a list of 0/1 labels, got NoneType"),
    (Call(signed, 1), TypeError, "labels must be a list of 0/1 labels, got int: 1"),
    (Call(signed, [0, 2]), ValueError, "signed needs labels 0 or 1, got 2 at 1"),
    (Call(signed, ["1"]), ValueError, "signed needs labels 0 or 1, got '1' at 0"),
    (Call(signed, [np.array([0, 1])]), ValueError, "signed needs labels 0 or 1, got array([0, 1]) at 0"),
    (Call(one_hot, ["a"]), ValueError, "one_hot needs int labels in 0, 1, ..., got 'a' at 0"),
    (Call(one_hot, [0, 2], 2), ValueError, "one_hot needs int labels in 0..1, got 2 at 1"),
    (Call(one_hot, [-1]), ValueError, "one_hot needs int labels in 0, 1, ..., got -1 at 0"),
    (Call(one_hot, [0.0]), ValueError, "got 0.0 at 0"),
    (Call(one_hot, [True]), ValueError, "got True at 0"),
    (Call(one_hot, [None]), ValueError, "got None at 0"),
    (Call(one_hot, None), TypeError, "labels must be a list of int class labels, got NoneType"),
    (Call(one_hot, 3), TypeError, "labels must be a list of int class labels, got int: 3"),
    (Call(one_hot, [0], classes=0), ValueError, "classes must be >= 1, got 0"),
    (Call(one_hot, [0], classes=2.0), TypeError, "classes must be an int, got float: 2.0"),
    (Call(one_hot, [0], classes="2"), TypeError, "classes must be an int, got str: '2'"),
    (Call(one_hot, [0], classes=10**9), ValueError,
     "one_hot would make 1 samples × 1,000,000,000 classes = 1,000,000,000 numbers, more than"),
    (Call(one_hot, [10**9]), ValueError,
     "1 samples × 1,000,000,001 labels (up to the largest, one class each)"),
    (Call(one_hot, [0], off="x"), TypeError, "off must be a real number, got str: 'x'"),
    (Call(one_hot, [0], off=math.nan), ValueError, "off must be a finite number, got nan"),
    (Call(one_hot, [0], off=Value(1.0)), TypeError, "off must be a real number, got Value"),
]


@pytest.mark.parametrize(("call", "error", "says"), BAD_ARGUMENTS, ids=ids(BAD_ARGUMENTS))
def test_wrong_arguments_are_refused_by_name(call, error, says):
    refused(call, error, says)


def test_numpy_numbers_and_arrays_are_accepted():
    assert moons(np.int64(10), noise=np.float64(0.1), seed=np.int64(1)) == moons(10, noise=0.1, seed=1)
    assert spirals(9, arms=np.int64(3), noise=0.0)[1] == spirals(9, arms=3, noise=0.0)[1]
    X, y = moons(50, seed=0)
    parts = train_test_split(np.array(X), np.array(y), test_size=np.int64(10), seed=np.int64(2))
    assert [len(p) for p in parts] == [40, 10, 40, 10]
    assert [list(map(float, p)) for p in parts[1]] == train_test_split(X, y, test_size=10, seed=2)[1]
    assert train_test_split(X, y, test_size=np.float64(0.2))[1] == train_test_split(X, y, test_size=0.2)[1]
    assert one_hot(np.array([0, 2])) == [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    assert one_hot([1], classes=np.int64(3), off=np.float64(-1.0)) == [[-1.0, 1.0, -1.0]]
    assert signed(np.array([0, 1])) == [-1.0, 1.0] == signed([False, True]) == signed(np.array([False, True]))


@pytest.mark.parametrize(
    ("make", "args", "kwargs", "names"),
    [
        *[(DATASETS[name], (), {"n": 10, "noise": 0.1, "seed": 0}, {"n": "n", "noise": "noise", "seed": "seed"})
          for name in sorted(DATASETS)],
        (circles, (), {"n": 10, "factor": 0.5}, {"factor": "factor"}),
        (spirals, (), {"n": 10, "arms": 2}, {"arms": "arms"}),
        (blobs, (), {"n": 10, "centers": 2}, {"centers": "centers"}),
        (train_test_split, (_X, _y), {"test_size": 0.25, "seed": 0}, {0: "X", 1: "y", "test_size": "test_size",
                                                                       "seed": "seed"}),
        (train_test_split, (_X, _y), {"stratify": True}, {"stratify": "stratify"}),
        (digits, (), {"n": 20, "test_size": 0.25, "seed": 0}, {k: k for k in ("n", "test_size", "seed")}),
        (signed, ([0, 1],), {}, {0: "labels"}),
        (one_hot, ([0, 1],), {"classes": None, "off": 0.0}, {0: "labels", "classes": "classes", "off": "off"}),
    ],
    ids=[*sorted(DATASETS), "circles-factor", "spirals-arms", "blobs-centers", "train_test_split",
         "train_test_split-stratify", "digits", "signed", "one_hot"],
)  # fmt: skip
def test_sweep_of_wrong_values_finds_no_raw_error(make, args, kwargs, names):
    assert sweep(make, args, kwargs, names) == []
