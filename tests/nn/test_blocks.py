"""Layers with their own settings: the fast engine equals reference.py, and gradcheck holds.

Random nets of every kind (activations per layer, batch and layer norm, dropout, residual,
each loss) take a step in the engine and in app/nn/reference_net.py from the same weights and
the same generator state: the same loss, gradients, dropout masks, running statistics and
evaluation outputs.
"""

from __future__ import annotations

import numpy as np
import pytest

from app.nn import MLP, check_gradients, make_optimizer
from app.nn import reference as R
from app.nn import reference_net as RN
from app.nn.blocks import LayerSpec

ACTS = ["relu", "leaky_relu", "tanh", "sigmoid", "linear"]
LOSSES = ["cross_entropy", "binary_cross_entropy", "mse"]


def random_net(seed: int, dtype="float64"):
    """A random net with random per-layer settings; returns (net, layers as dicts, X, y)."""
    rng = np.random.default_rng(seed)
    n_in, depth = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    loss = LOSSES[seed % 3]
    n_classes = 2 if loss == "binary_cross_entropy" else int(rng.integers(2, 4))
    width = int(rng.integers(2, 6))
    sizes, layers = [n_in], []
    for i in range(depth):
        units = width if rng.random() < 0.7 else int(rng.integers(2, 6))
        residual = bool(sizes[-1] == units and rng.random() < 0.6)
        layers.append(
            {
                "activation": ACTS[int(rng.integers(len(ACTS)))],
                "norm": ["none", "batch", "layer"][(seed + i) % 3],
                "dropout": float(rng.choice([0.0, 0.2, 0.5])),
                "residual": residual,
            }
        )
        sizes.append(units)
    sizes.append(1 if loss == "binary_cross_entropy" else n_classes)
    net = MLP(sizes, "tanh", loss, dtype=dtype, seed=seed, l2=0.01 * (seed % 2), layers=layers)
    n = int(rng.integers(3, 9))
    X = rng.normal(size=(n, n_in))
    y = rng.integers(0, n_classes, n)
    return net, layers, X, y


def reference_loss(net, scores, y):
    if net.loss_name == "cross_entropy":
        return R.softmax_cross_entropy(scores, y)
    if net.loss_name == "binary_cross_entropy":
        return R.sigmoid_binary_cross_entropy(scores, y)
    t = y if scores.shape[1] == 1 else np.eye(scores.shape[1])[y]
    return R.mse(scores, t.astype(scores.dtype))


def reference_step(net, layers, X, y):
    """The reference's loss, grads (penalty included), dL/dX, masks and new stats."""
    params = {k: v.astype(np.float64) for k, v in net.params.items()}
    stats = {k: v.astype(np.float64) for k, v in net.running_stats().items()}
    rng = np.random.default_rng()
    rng.bit_generator.state = net.rng.bit_generator.state
    scores, caches = RN.net_forward(X, params, layers, stats, train=True, rng=rng)
    loss, dscores = reference_loss(net, scores, y)
    grads, dX = RN.net_backward(dscores, layers, caches)
    for k in grads:
        if k.startswith("W"):
            grads[k] = grads[k] + net.l2 * params[k]
            loss += 0.5 * net.l2 * float((params[k] ** 2).sum())
    masks = [c[3] for c in caches[0]]
    return loss, grads, dX, masks, stats, params


@pytest.mark.parametrize("seed", range(24))
def test_engine_equals_reference_on_random_nets(seed):
    net, layers, X, y = random_net(seed)
    assert net.blocks is not None or all(LayerSpec(1, **d).plain for d in layers)
    want_loss, want_grads, want_dX, want_masks, want_stats, params = reference_step(
        net, layers, X, y
    )
    state = net.rng.bit_generator.state
    loss, grads = net.gradients(X, y, input_grad=True)
    assert loss == pytest.approx(want_loss, rel=1e-12)
    for k, g in want_grads.items():
        np.testing.assert_allclose(grads[k], g, rtol=1e-9, atol=1e-12, err_msg=k)
    trace = net.trace
    np.testing.assert_allclose(trace.layers[0].dL_da_in, want_dX, rtol=1e-9, atol=1e-12)
    for lt, mask in zip(trace.layers, want_masks, strict=False):
        if mask is None:
            assert lt.mask is None
        else:
            np.testing.assert_array_equal(lt.mask, mask)
    # a training step (the same masks) moves the running statistics as the reference did
    net.rng.bit_generator.state = state
    net.train_step(X, y, make_optimizer("sgd", learning_rate=0.0))
    for k, v in want_stats.items():
        np.testing.assert_allclose(net.running_stats()[k], v, rtol=1e-12, err_msg=k)
    # evaluation: running statistics, no dropout, in both
    scores, _ = RN.net_forward(X, params, layers, want_stats, train=False)
    _, _, outputs = net.evaluate(X, y)
    np.testing.assert_allclose(outputs[-1], net.loss_fn.probs(scores), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("seed", range(6))
def test_float32_engine_is_close_to_the_reference(seed):
    net, layers, X, y = random_net(seed, "float32")
    want_loss, want_grads, *_ = reference_step(net, layers, X, y)
    loss, grads = net.gradients(X.astype(np.float32), y)
    assert loss == pytest.approx(want_loss, rel=1e-4)
    for k, g in want_grads.items():
        np.testing.assert_allclose(grads[k], g, rtol=2e-3, atol=2e-4, err_msg=k)


@pytest.mark.parametrize("seed", range(12))
def test_gradcheck_covers_gamma_beta_and_the_traced_dropout(seed):
    net, layers, X, y = random_net(seed)
    # smooth activations only: finite differences across a relu kink measure another function
    for spec in layers:
        spec["activation"] = (
            "tanh" if spec["activation"] in ("relu", "leaky_relu") else spec["activation"]
        )
    net = MLP(net.sizes, "tanh", net.loss_name, dtype="float64", seed=seed, layers=layers)
    errors = check_gradients(net, X, y)
    for i, spec in enumerate(layers, 1):
        if spec["norm"] != "none":
            assert f"norm{i}.gamma" in errors and f"norm{i}.beta" in errors
    assert max(errors.values()) < 1e-5, errors


def test_dropout_is_off_in_evaluation_and_predict():
    net = MLP([2, 8, 8, 2], "relu", layers=[{"dropout": 0.5}, {"dropout": 0.5}], seed=1)
    X = np.random.default_rng(0).normal(size=(20, 2))
    first = net.predict_proba(X)
    np.testing.assert_array_equal(net.predict_proba(X), first)  # no mask drawn
    plain = MLP([2, 8, 8, 2], "relu", seed=1)
    np.testing.assert_allclose(first, plain.predict_proba(X), rtol=1e-6)


def test_batchnorm_running_statistics_follow_the_batches():
    net = MLP([1, 3, 2], "tanh", dtype="float64", layers=[{"norm": "batch"}], seed=0)
    X = np.random.default_rng(0).normal(3.0, 2.0, size=(400, 1))
    y = (X[:, 0] > 3).astype(int)
    opt = make_optimizer("sgd", learning_rate=0.0)
    for _ in range(200):  # 0.9^200: the starting 0 and 1 are forgotten
        net.train_step(X, y, opt)
    z = X @ net.params["W1"] + net.params["b1"]
    stats = net.running_stats()
    np.testing.assert_allclose(stats["norm1.running_mean"], z.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(stats["norm1.running_var"], z.var(axis=0), rtol=1e-4)


def test_residual_needs_equal_widths():
    with pytest.raises(ValueError, match=r"layers\[1\]\.residual"):
        MLP([2, 4, 3, 2], layers=[{}, {"residual": True}])


def test_plain_layers_keep_the_fast_path():
    assert MLP([2, 4, 4, 2], "relu", layers=[{}, {"activation": "relu"}]).blocks is None
    assert MLP([2, 4, 4, 2], "relu", layers=[{}, {"activation": "tanh"}]).blocks is not None


@pytest.mark.parametrize(
    ("sizes", "n", "layers"),
    [
        ([4, 4, 3, 3], n, [{"norm": "batch", "dropout": 0.3, "residual": True}, {"norm": "batch"}])
        for n in (1, 2, 200)
    ]
    + [
        (
            [4, 48, 48, 3],
            40,
            [{"norm": "batch", "dropout": 0.3}, {"norm": "batch", "residual": True}],
        )
    ],
)
def test_batch_norm_equals_the_reference_at_any_batch_size(sizes, n, layers):
    """Batch norm runs as products with C = I - 1/N and diagonal matrices (n = 2), centres
    by a tiled mean when C grows past block_workspace.CENTER_MAX (n = 200), and runs as
    broadcasting ufuncs in a layer past DIAG_MAX (48 units); a batch of one normalises to
    beta. Each equals the reference."""
    net = MLP(sizes, "tanh", dtype="float64", layers=layers, seed=n)
    rng = np.random.default_rng(n)
    X, y = rng.normal(size=(n, 4)), rng.integers(0, 3, n)
    full = [dict(activation="tanh", norm="none", dropout=0.0, residual=False) | d for d in layers]
    want_loss, want_grads, want_dX, _, want_stats, _ = reference_step(net, full, X, y)
    state = net.rng.bit_generator.state
    loss, grads = net.gradients(X, y, input_grad=True)
    assert loss == pytest.approx(want_loss, rel=1e-12)
    for k, g in want_grads.items():
        np.testing.assert_allclose(grads[k], g, rtol=1e-9, atol=1e-12, err_msg=k)
    np.testing.assert_allclose(net.trace.layers[0].dL_da_in, want_dX, rtol=1e-9, atol=1e-12)
    net.rng.bit_generator.state = state
    net.train_step(X, y, make_optimizer("sgd", learning_rate=0.0))
    for k, v in want_stats.items():
        np.testing.assert_allclose(net.running_stats()[k], v, rtol=1e-12, atol=1e-15, err_msg=k)
