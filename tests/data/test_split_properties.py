"""Property tests: the stratified split and the generators for any valid arguments."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from app.data import DATASETS, stratified_split


@settings(max_examples=200, deadline=None)
@given(
    counts=st.lists(st.integers(1, 60), min_size=1, max_size=20),
    frac=st.floats(0.1, 0.9),
    seed=st.integers(0, 2**32 - 1),
)
def test_split_partitions_and_stays_stratified(counts, frac, seed):
    y = np.repeat(np.arange(len(counts)), counts)
    tr, te = stratified_split(y, frac, seed)
    assert sorted(np.concatenate([tr, te]).tolist()) == list(range(len(y)))
    per_class = np.bincount(y[tr], minlength=len(counts))
    counts = np.array(counts)
    assert (per_class >= 1).all()
    assert (per_class[counts >= 2] <= counts[counts >= 2] - 1).all()
    if (counts >= 2).all() and min(counts) * min(frac, 1 - frac) >= 1:
        assert abs(len(tr) - round(frac * len(y))) <= 0
        assert np.abs(per_class - frac * counts).max() < 2


@settings(max_examples=60, deadline=None)
@given(
    name=st.sampled_from(
        [n for n, s in DATASETS.items() if s.kind == "2d" and s.task == "classification"]
    ),
    n=st.integers(20, 5000),
    noise=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**32 - 1),
    classes=st.integers(2, 8),
)
def test_generators_give_n_points_for_any_valid_arguments(name, n, noise, seed, classes):
    spec = DATASETS[name]
    k = min(classes, spec.classes_range[1]) if spec.uses_classes else None
    X, y = spec.generate(n, noise, seed, k)
    assert X.shape == (n, 2) and y.shape == (n,) and np.isfinite(X).all()
    counts = np.bincount(y)
    assert counts.max() - counts.min() <= 1
