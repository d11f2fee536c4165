"""Forward outputs and every gradient against PyTorch autograd (float64)."""

from __future__ import annotations

import numpy as np
import pytest

from app.nn import ACTIVATIONS, LOSSES, MLP

from .problems import output_size

torch = pytest.importorskip("torch")
F = torch.nn.functional

TORCH_ACTIVATIONS = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": lambda z: F.leaky_relu(z, 0.01),
    "linear": lambda z: z,
}


def torch_loss(loss, z, y, n_out):
    if loss == "cross_entropy":
        return F.cross_entropy(z, y), torch.softmax(z, dim=1)
    if loss == "binary_cross_entropy":
        return F.binary_cross_entropy_with_logits(z[:, 0], y.double()), torch.sigmoid(z)
    target = F.one_hot(y, n_out).double() if n_out > 1 else y.double()[:, None]
    return 0.5 * ((z - target) ** 2).sum() / len(y), None


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_matches_torch_autograd(activation, loss, seed):
    rng = np.random.default_rng(100 + seed)
    hidden = list(rng.integers(1, 7, size=rng.integers(0, 4)))
    n_in, n_classes = int(rng.integers(1, 5)), int(rng.integers(2, 5))
    sizes = [n_in, *hidden, output_size(loss, n_classes)]
    l1, l2 = (0.0, 0.0) if seed == 0 else (0.01 * seed, 0.02)
    net = MLP(sizes, activation=activation, loss=loss, dtype="float64", seed=seed, l1=l1, l2=l2)
    n = 9
    X = rng.normal(size=(n, n_in))
    y = rng.integers(0, net.n_classes, n)

    loss_value, grads = net.gradients(X, y, input_grad=True)
    trace = net.trace

    Xt = torch.tensor(X, requires_grad=True)
    params = {k: torch.tensor(v.copy(), requires_grad=True) for k, v in net.params.items()}
    a = Xt
    n_layers = len(sizes) - 1
    for i in range(1, n_layers + 1):
        z = a @ params[f"W{i}"] + params[f"b{i}"]
        a = TORCH_ACTIVATIONS[activation](z) if i < n_layers else z
    data_loss, probs = torch_loss(loss, z, torch.tensor(y), sizes[-1])
    weights = [params[f"W{i}"] for i in range(1, n_layers + 1)]
    penalty = sum(l1 * w.abs().sum() + 0.5 * l2 * (w**2).sum() for w in weights)
    total = data_loss + penalty
    total.backward()

    assert loss_value == pytest.approx(total.item(), rel=1e-12, abs=1e-14)
    if probs is not None:
        np.testing.assert_allclose(trace.y_hat, probs.detach().numpy(), rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(net.predict_proba(X), probs.detach().numpy(), atol=1e-14)
    for name, g in grads.items():
        np.testing.assert_allclose(g, params[name].grad.numpy(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(trace.layers[0].dL_da_in, Xt.grad.numpy(), rtol=1e-10, atol=1e-14)
