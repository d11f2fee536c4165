"""Where a network's numbers live: its parameters, and the buffers of one pass.

ParamDict keeps every parameter as a view into one flat vector (so an optimizer updates all of
them with one NumPy call per rule), laid out layer by layer as the blocks [W; b] that the bias
trick multiplies by (see layers.py). A Workspace holds every intermediate array of a forward
and backward pass over N examples, allocated once per batch size and written in place: a
training step on a tiny network costs per NumPy call, so an array never allocated is time
saved.
"""

from __future__ import annotations

import math

import numpy as np


class ParamDict(dict):
    """name -> array (W1, b1, W2, b2, ...), every array a view into the one vector `flat`.

    Layer l's part of `flat` is the block Wb_l = [W_l; b_l], (in+1, out) in `blocks[l-1]`:
    W_l = Wb_l[:-1] (in, out) and b_l = Wb_l[-1] (out,). norms: (layer, units) of the hidden
    layers with a batch or layer norm, whose gamma and beta (units,) follow the blocks as
    "norm{layer}.gamma", "norm{layer}.beta". `offsets[name]` is where each array starts.
    """

    def __init__(self, sizes: list[int], dtype, norms: tuple[tuple[int, int], ...] = ()):
        super().__init__()
        pairs = list(zip(sizes[:-1], sizes[1:], strict=False))  # (fan_in, fan_out) per layer
        size = sum((fan_in + 1) * fan_out for fan_in, fan_out in pairs)
        self.flat = np.zeros(size + 2 * sum(units for _, units in norms), dtype)
        self.blocks, self.offsets, at = [], {}, 0
        for i, (fan_in, fan_out) in enumerate(pairs, start=1):
            Wb = self.flat[at : at + (fan_in + 1) * fan_out].reshape(fan_in + 1, fan_out)
            self.blocks.append(Wb)
            self[f"W{i}"], self[f"b{i}"] = Wb[:-1], Wb[-1]
            self.offsets[f"W{i}"], self.offsets[f"b{i}"] = at, at + fan_in * fan_out
            at += Wb.size
        for layer, units in norms:  # after every block: "norm1.gamma", "norm1.beta", ...
            for part in ("gamma", "beta"):
                name = f"norm{layer}.{part}"
                self[name], self.offsets[name] = self.flat[at : at + units], at
                at += units

    def view(self, flat: np.ndarray, name: str, shape=None) -> np.ndarray:
        """The part of `flat` (any vector laid out like self.flat) that holds `name`."""
        shape = self[name].shape if shape is None else shape
        start = self.offsets[name]
        return flat[start : start + math.prod(shape)].reshape(shape)


class Workspace:
    """The buffers of one pass over N examples, and what the last pass on them saw.

    Index i is layer i + 1: x1[i] (N, in_i + 1) its input with a column of ones (x1[0]
    holds X, x1[i] holds a[i - 1]; x[i] is the view without the ones, x1_T[i] the
    transpose); z[i], a[i] (N, h_i); a[-1] is y_hat, filled in when the trace is read.
    With backward=True also f_prime[i], dL_da[i] for the hidden layers and dL_dz[i] for
    every layer; dX (N, D) is allocated the first time dL/dX is asked for.

    The hidden layers' z, a and f_prime are views into one vector each (z_hidden, ...),
    so f'(z) of every hidden layer is one pass over one vector: 2 NumPy calls a step for
    tanh instead of 2 per layer (~0.6 us saved at 2-8-8-1).
    """

    def __init__(self, sizes: list[int], n: int, dtype, backward: bool = True):
        hidden, out = sizes[1:-1], sizes[-1]
        self.x1 = [np.ones((n, d + 1), dtype) for d in sizes[:-1]]
        self.x = [x1[:, :-1] for x1 in self.x1]
        self.x1_T = [x1.T for x1 in self.x1]
        self.z_hidden, self.z = _stacked(n, hidden, dtype)
        self.a_hidden, self.a = _stacked(n, hidden, dtype)
        self.z.append(np.empty((n, out), dtype))
        self.a.append(np.empty((n, out), dtype))
        if backward:
            self.f_prime_hidden, self.f_prime = _stacked(n, hidden, dtype)
            self.dL_da = [np.empty((n, h), dtype) for h in hidden]
            self.dL_dz = [np.empty((n, h), dtype) for h in sizes[1:]]
        self.dX: np.ndarray | None = None
        # what the last pass saw, for the trace
        self.X: np.ndarray | None = None
        self.y: np.ndarray | None = None
        self.data_loss = self.penalty = self.l1 = self.l2 = 0.0
        self.input_grad = False


def _stacked(n: int, widths: list[int], dtype) -> tuple[np.ndarray, list[np.ndarray]]:
    """One vector for N rows of every width, and its (N, h) views, one per width."""
    flat = np.empty(n * sum(widths), dtype)
    views, at = [], 0
    for h in widths:
        views.append(flat[at : at + n * h].reshape(n, h))
        at += n * h
    return flat, views
