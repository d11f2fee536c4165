"""The fully connected layer z = x @ W + b, forward and backward.

W has shape (in, out), so a batch of N row vectors x: (N, in) maps to z: (N, out) with one
matrix product. Backward is the chain rule applied to that product:

    dL/dW    = x^T @ dL/dz        (in, N) @ (N, out) -> (in, out)
    dL/db    = sum_i dL/dz_i      (out,)   every row received the same b
    dL/dx    = dL/dz @ W^T        (N, out) @ (out, in) -> (N, in), passed to the layer below

Forward caches the one thing backward needs that it cannot get elsewhere: the input x
(W is the layer's own parameter). z is not needed: the activation handles f'(z).
"""

from __future__ import annotations

import numpy as np


class Linear:
    """A dense layer. `W`, `b`, `dW`, `db` are arrays owned by the caller (views into the
    network's flat parameter/gradient vectors), updated in place and never replaced.

    W: (in, out), b: (out,), dW: (in, out), db: (out,).
    """

    def __init__(self, W: np.ndarray, b: np.ndarray, dW: np.ndarray, db: np.ndarray):
        self.W, self.b, self.dW, self.db = W, b, dW, db
        self.x: np.ndarray | None = None  # cache: the last input, a reference, not a copy

    @property
    def shape(self) -> tuple[int, int]:
        """(in, out)"""
        return self.W.shape

    def forward(self, x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """x: (N, in) inputs; returns z = x @ W + b, (N, out) (written into out if given)."""
        self.x = x
        z = np.matmul(x, self.W, out=out)
        z += self.b
        return z

    def backward(self, dz: np.ndarray, dx_out: np.ndarray | None = None, need_dx: bool = True):
        """dz: (N, out) = dL/dz. Writes dL/dW (in, out) into self.dW and dL/db (out,) into
        self.db; returns dL/dx (N, in) (into dx_out if given), or None if not need_dx."""
        np.matmul(self.x.T, dz, out=self.dW)
        np.add.reduce(dz, axis=0, out=self.db)
        if not need_dx:
            return None
        return np.matmul(dz, self.W.T, out=dx_out)
