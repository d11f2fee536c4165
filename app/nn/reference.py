"""Backprop as plain functions: the one readable truth the fast engine is tested against.

Each layer is a pair in the CS231n style, the backward beside its forward:

    out, cache = <layer>_forward(x, ...)      cache holds exactly what backward needs
    dx, ...    = <layer>_backward(dout, cache)

and each loss returns (loss, dscores), the mean over the batch and its gradient. N is the
batch size, D a layer's input width, H its output width, C the output units. No buffers,
no tricks: the exported script inlines these functions' own source, and the tests hold
the engine (mlp.py, blocks.py) equal to them and them to finite differences.
"""

from __future__ import annotations

import numpy as np

LEAKY_SLOPE = 0.01


def affine_forward(x, W, b):
    """x: (N, D), W: (D, H), b: (H,) -> out = x @ W + b: (N, H)."""
    out = x @ W + b
    cache = (x, W)
    return out, cache


def affine_backward(dout, cache):
    """dout: (N, H) -> dx: (N, D), dW: (D, H), db: (H,)."""
    x, W = cache
    dx = dout @ W.T
    dW = x.T @ dout
    db = dout.sum(axis=0)
    return dx, dW, db


def relu_forward(x):
    """x: any shape -> max(x, 0), same shape."""
    out = np.maximum(x, 0.0)
    cache = x
    return out, cache


def relu_backward(dout, cache):
    """Passes the gradient where x > 0 (not at 0)."""
    x = cache
    dx = dout * (x > 0)
    return dx


def leaky_relu_forward(x):
    """x where x > 0, else 0.01 x."""
    out = np.where(x > 0, x, LEAKY_SLOPE * x)
    cache = x
    return out, cache


def leaky_relu_backward(dout, cache):
    """Slope 1 where x > 0, else 0.01."""
    x = cache
    dx = np.where(x > 0, dout, LEAKY_SLOPE * dout)
    return dx


def tanh_forward(x):
    """tanh(x), in (-1, 1)."""
    out = np.tanh(x)
    cache = out
    return out, cache


def tanh_backward(dout, cache):
    """tanh' = 1 - tanh^2, from the forward's output."""
    out = cache
    dx = dout * (1.0 - out * out)
    return dx


def sigmoid_forward(x):
    """1 / (1 + e^-x), written (1 + tanh(x / 2)) / 2 so that it never overflows."""
    out = (np.tanh(x * 0.5) + 1.0) * 0.5
    cache = out
    return out, cache


def sigmoid_backward(dout, cache):
    """sigmoid' = s (1 - s), from the forward's output s."""
    out = cache
    dx = dout * (1.0 - out) * out
    return dx


def linear_forward(x):
    """The identity."""
    return x, None


def linear_backward(dout, cache):
    """Slope 1 everywhere."""
    return dout


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    """Training mode: each column normalised by the batch's mean and (biased) variance.

    x: (N, H), gamma, beta: (H,) -> out = gamma * x_hat + beta: (N, H),
    x_hat = (x - mu) / sqrt(var + eps); mu, var: (H,) are in the cache for running stats.
    """
    mu = x.mean(axis=0)
    xc = x - mu
    var = (xc * xc).mean(axis=0)
    std = np.sqrt(var + eps)
    x_hat = xc / std
    out = gamma * x_hat + beta
    cache = (x_hat, gamma, std, mu, var)
    return out, cache


def batchnorm_backward(dout, cache):
    """dout: (N, H) -> dx: (N, H), dgamma, dbeta: (H,).

    dx has three terms, each / std: the direct path dx_hat, minus the mean's share
    mean(dx_hat), minus the variance's share x_hat * mean(dx_hat * x_hat).
    """
    x_hat, gamma, std, _, _ = cache
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx_hat = dout * gamma
    dx = (dx_hat - dx_hat.mean(axis=0) - x_hat * (dx_hat * x_hat).mean(axis=0)) / std
    return dx, dgamma, dbeta


def layernorm_forward(x, gamma, beta, eps=1e-5):
    """Each row normalised over its own H units: batchnorm across a row, not a column.

    x: (N, H), gamma, beta: (H,) -> out: (N, H); the same at training and evaluation.
    """
    mu = x.mean(axis=1, keepdims=True)
    xc = x - mu
    var = (xc * xc).mean(axis=1, keepdims=True)
    std = np.sqrt(var + eps)
    x_hat = xc / std
    out = gamma * x_hat + beta
    cache = (x_hat, gamma, std)
    return out, cache


def layernorm_backward(dout, cache):
    """dout: (N, H) -> dx: (N, H), dgamma, dbeta: (H,); batchnorm's three terms per row."""
    x_hat, gamma, std = cache
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx_hat = dout * gamma
    mean_dx_hat = dx_hat.mean(axis=1, keepdims=True)
    mean_dx_hat_x_hat = (dx_hat * x_hat).mean(axis=1, keepdims=True)
    dx = (dx_hat - mean_dx_hat - x_hat * mean_dx_hat_x_hat) / std
    return dx, dgamma, dbeta


def dropout_forward(x, p, rng):
    """Inverted dropout: each unit dropped with probability p, the kept ones scaled by
    1 / (1 - p) so the expected output is x. x: (N, H); rng: np.random.Generator.
    The cache is the mask: 0 or 1 / (1 - p), (N, H)."""
    keep = rng.random(x.shape) >= p
    mask = keep.astype(x.dtype) / x.dtype.type(1.0 - p)
    out = x * mask
    cache = mask
    return out, cache


def dropout_backward(dout, cache):
    """Only the kept units pass gradient, scaled as in forward."""
    mask = cache
    dx = dout * mask
    return dx


def softmax_cross_entropy(scores, y):
    """scores: (N, C) logits, y: (N,) int labels -> mean -log softmax(scores)[y], and
    dscores = (softmax - onehot(y)) / N: (N, C)."""
    n = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_total = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    log_probs = shifted - log_total
    loss = -log_probs[np.arange(n), y].mean()
    dscores = np.exp(log_probs)
    dscores[np.arange(n), y] -= 1.0
    dscores /= n
    return float(loss), dscores


def sigmoid_binary_cross_entropy(scores, y):
    """scores: (N, 1) logits, y: (N,) labels 0/1 -> mean -log p(y), p = sigmoid(scores),
    and dscores = (p - y) / N: (N, 1). softplus(s) = max(s, 0) + log(1 + e^-|s|)."""
    n = scores.shape[0]
    t = y.reshape(n, 1).astype(scores.dtype)
    signed = (1.0 - 2.0 * t) * scores  # -log p(y) = softplus(signed)
    loss = (np.maximum(signed, 0.0) + np.log1p(np.exp(-np.abs(signed)))).mean()
    p = (np.tanh(scores * 0.5) + 1.0) * 0.5
    dscores = (p - t) / n
    return float(loss), dscores


def mse(pred, y):
    """pred: (N, K), y: targets (N, K) or (N,) for K = 1 -> mean 0.5 * sum (pred - y)^2,
    and dpred = (pred - y) / N: (N, K)."""
    n = pred.shape[0]
    diff = pred - y.reshape(pred.shape)
    loss = 0.5 * (diff * diff).sum() / n
    dpred = diff / n
    return float(loss), dpred
