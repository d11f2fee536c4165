"""A whole network from reference.py's functions: forward, loss, backward, in plain steps.

params: "W1", "b1", ..., "WL", "bL" and, for a hidden layer l with a norm, "norm{l}.gamma",
"norm{l}.beta"; LAYERS: one dict per hidden layer {"activation", "norm", "dropout",
"residual"}; stats: "norm{l}.running_mean", "norm{l}.running_var" for batch norm. The
exported script inlines these functions with reference.py's; the tests hold the engine
equal to them.
"""

from __future__ import annotations

import numpy as np

from .reference import (
    affine_backward,
    affine_forward,
    batchnorm_backward,
    batchnorm_forward,
    dropout_backward,
    dropout_forward,
    layernorm_backward,
    layernorm_forward,
    leaky_relu_backward,
    leaky_relu_forward,
    linear_backward,
    linear_forward,
    relu_backward,
    relu_forward,
    sigmoid_backward,
    sigmoid_forward,
    tanh_backward,
    tanh_forward,
)

ACTIVATION = {
    "relu": (relu_forward, relu_backward),
    "leaky_relu": (leaky_relu_forward, leaky_relu_backward),
    "tanh": (tanh_forward, tanh_backward),
    "sigmoid": (sigmoid_forward, sigmoid_backward),
    "linear": (linear_forward, linear_backward),
}
MOMENTUM = 0.9  # batch norm's running statistics keep this share of their old value


def hidden_forward(x, l, layer, params, stats, train, rng):
    """Hidden layer l (1-based): affine -> norm -> activation -> dropout (+ x if residual).
    x: (N, D) -> h: (N, H), cache. train: batch statistics (the running ones updated) and
    dropout; else the running statistics and no dropout."""
    W, b = params[f"W{l}"], params[f"b{l}"]
    z, affine_cache = affine_forward(x, W, b)
    y, norm_cache = z, None
    if layer["norm"] == "batch" and train:
        gamma, beta = params[f"norm{l}.gamma"], params[f"norm{l}.beta"]
        y, norm_cache = batchnorm_forward(z, gamma, beta)
        mu, var = norm_cache[3], norm_cache[4]
        stats[f"norm{l}.running_mean"] *= MOMENTUM
        stats[f"norm{l}.running_mean"] += (1.0 - MOMENTUM) * mu
        stats[f"norm{l}.running_var"] *= MOMENTUM
        stats[f"norm{l}.running_var"] += (1.0 - MOMENTUM) * var
    elif layer["norm"] == "batch":  # evaluation: the running statistics stand in
        x_hat = (z - stats[f"norm{l}.running_mean"]) / np.sqrt(stats[f"norm{l}.running_var"] + 1e-5)
        y = x_hat * params[f"norm{l}.gamma"] + params[f"norm{l}.beta"]
    elif layer["norm"] == "layer":
        gamma, beta = params[f"norm{l}.gamma"], params[f"norm{l}.beta"]
        y, norm_cache = layernorm_forward(z, gamma, beta)
    a, act_cache = ACTIVATION[layer["activation"]][0](y)
    drop_cache = None
    if train and layer["dropout"]:
        a, drop_cache = dropout_forward(a, layer["dropout"], rng)
    h = a + x if layer["residual"] else a
    return h, (affine_cache, norm_cache, act_cache, drop_cache)


def hidden_backward(dh, l, layer, cache, grads):
    """dh: (N, H) = dL/dh of hidden layer l -> dL/dx: (N, D); its gradients into grads."""
    affine_cache, norm_cache, act_cache, drop_cache = cache
    da = dropout_backward(dh, drop_cache) if drop_cache is not None else dh
    dy = ACTIVATION[layer["activation"]][1](da, act_cache)
    dz = dy
    if layer["norm"] != "none":
        norm_backward = batchnorm_backward if layer["norm"] == "batch" else layernorm_backward
        dz, grads[f"norm{l}.gamma"], grads[f"norm{l}.beta"] = norm_backward(dy, norm_cache)
    dx, grads[f"W{l}"], grads[f"b{l}"] = affine_backward(dz, affine_cache)
    if layer["residual"]:
        dx = dx + dh  # the skip carries dL/dh straight down: the gradient splits in two
    return dx


def net_forward(X, params, layers, stats, train, rng=None):
    """X: (N, D) -> scores (N, C) and the caches backward needs."""
    h, caches = X, []
    for l, layer in enumerate(layers, start=1):
        h, cache = hidden_forward(h, l, layer, params, stats, train, rng)
        caches.append(cache)
    L = len(layers) + 1
    scores, out_cache = affine_forward(h, params[f"W{L}"], params[f"b{L}"])
    return scores, (caches, out_cache)


def net_backward(dscores, layers, caches):
    """dscores: (N, C) = dL/dscores -> grads: name -> array shaped like params, and dL/dX."""
    hidden_caches, out_cache = caches
    grads = {}
    L = len(layers) + 1
    dh, grads[f"W{L}"], grads[f"b{L}"] = affine_backward(dscores, out_cache)
    for l in range(len(layers), 0, -1):
        dh = hidden_backward(dh, l, layers[l - 1], hidden_caches[l - 1], grads)
    return grads, dh
