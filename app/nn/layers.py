"""The fully connected layer z = x @ W + b, forward and backward.

W has shape (in, out), so a batch of N row vectors x: (N, in) maps to z: (N, out) with one
matrix product. Backward is the chain rule applied to that product:

    dL/dW = x^T @ dL/dz        (in, N) @ (N, out) -> (in, out)
    dL/db = 1^T @ dL/dz        (N,) @ (N, out) -> (out,)   b is a weight on an input that is
                               always 1, so its gradient sums dL/dz over the batch
    dL/dx = dL/dz @ W^T        (N, out) @ (out, in) -> (N, in), passed to the layer below

Backward needs the input x of forward. The network keeps it for the layer (it is the output
buffer of the layer below, or the batch X) and hands it back, so an inference pass between
two steps cannot disturb a step's cache. z itself is not needed: the activation owns f'(z).

np.dot rather than the @ operator: on the tiny matrices of a 2-D playground network it
costs ~0.6 us a call against ~1-2 us for np.matmul, and writes straight into `out`. For the
same reason dL/db is the product with a vector of ones rather than np.sum (~1-3 us).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np


class Linear:
    """A dense layer. `W`, `b`, `dW`, `db` are arrays owned by the network (views into its
    flat parameter and gradient vectors), updated in place and never replaced.

    W: (in, out), b: (out,), dW: (in, out), db: (out,).
    """

    def __init__(self, W: np.ndarray, b: np.ndarray, dW: np.ndarray, db: np.ndarray):
        self.W, self.b, self.dW, self.db = W, b, dW, db

    @property
    def shape(self) -> tuple[int, int]:
        """(in, out)"""
        return self.W.shape

    def forward(self, x: np.ndarray, z: np.ndarray) -> np.ndarray:
        """x: (N, in) inputs; writes z = x @ W + b into z: (N, out) and returns it."""
        np.dot(x, self.W, out=z)
        z += self.b
        return z

    def backward(self, x: np.ndarray, dz: np.ndarray, dx: np.ndarray | None) -> np.ndarray | None:
        """x: (N, in) the forward input, dz: (N, out) = dL/dz. Writes dL/dW into self.dW and
        dL/db into self.db; writes dL/dx (N, in) into dx and returns it, or skips it and
        returns None when dx is None (nothing below the first layer needs it)."""
        np.dot(x.T, dz, out=self.dW)
        np.dot(_ones(len(dz), dz.dtype), dz, out=self.db)
        if dx is None:
            return None
        return np.dot(dz, self.W.T, out=dx)


@lru_cache(maxsize=16)
def _ones(n: int, dtype) -> np.ndarray:
    """(n,) ones in dtype, made once per batch size (read-only: shared by every layer)."""
    ones = np.ones(n, dtype)
    ones.flags.writeable = False
    return ones
