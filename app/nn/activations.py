"""Activation functions a = f(z), each with its derivative f'(z) right beside it.

Every activation works element-wise on arrays of any shape, e.g. z: (N, H) -> a: (N, H).
`grad` takes both z and a = f(z) because for sigmoid and tanh the derivative is cheapest
written with the output (sigmoid' = a (1 - a), tanh' = 1 - a^2), while for the rectifiers
it depends on the sign of z. In backprop it turns dL/da into dL/dz = dL/da * f'(z).

Both methods accept `out=` so the network can write into its
preallocated buffers: a training step on a tiny network costs per NumPy call, not per
number, so an array never allocated is time saved.

Conventions at the kinks: relu'(0) = 0 and leaky_relu'(0) = 0.01 (the same as PyTorch).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

LEAKY_SLOPE = 0.01  # leaky_relu's slope for z <= 0


@lru_cache(maxsize=64)
def const(value: float, dtype) -> np.ndarray:
    """value as a 0-d array of dtype. NumPy converts a Python float operand on every call
    (~0.4 us); a ready 0-d array of the arrays' own dtype skips that: ~4 us of a 30 us step
    on a 2-8-8-1 network."""
    c = np.array(value, dtype)
    c.flags.writeable = False
    return c


class Activation:
    """Base class: `fn(z)` gives a = f(z); `grad(z, a)` gives f'(z), both (same shape as z).

    `kind` says which unit-health statistic applies (see health.py): "saturating" (sigmoid,
    tanh), "rectifier" (relu, leaky_relu) or "identity".
    """

    name = ""
    kind = ""

    def fn(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """z: (N, H) pre-activations; returns a = f(z), (N, H)."""
        raise NotImplementedError

    def grad(self, z: np.ndarray, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """z, a: (N, H) pre-activations and outputs; returns f'(z), (N, H)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<activation {self.name}>"


class Sigmoid(Activation):
    """sigmoid(z) = 1 / (1 + e^-z), squashes to (0, 1); sigmoid'(z) = a (1 - a) <= 1/4."""

    name = "sigmoid"
    kind = "saturating"

    def fn(self, z, out=None):
        # (1 + tanh(z / 2)) / 2 is the same function, but never evaluates e^-z, so
        # z = -1000 gives exactly 0 without an overflow warning.
        half, one = const(0.5, z.dtype), const(1.0, z.dtype)
        out = np.multiply(z, half, out=out)
        np.tanh(out, out=out)
        out += one
        out *= half
        return out

    def grad(self, z, a, out=None):
        out = np.subtract(const(1.0, a.dtype), a, out=out)
        out *= a
        return out


class Tanh(Activation):
    """tanh(z), squashes to (-1, 1), zero-centred; tanh'(z) = 1 - a^2."""

    name = "tanh"
    kind = "saturating"

    fn = staticmethod(np.tanh)  # NumPy's ufunc is the whole forward: np.tanh(z, out)

    def grad(self, z, a, out=None):
        out = np.multiply(a, a, out=out)
        return np.subtract(const(1.0, a.dtype), out, out=out)


class ReLU(Activation):
    """relu(z) = max(z, 0); relu'(z) = 1 where z > 0, else 0. A unit whose z < 0 for every
    input passes no gradient at all: it is "dead" and stays so."""

    name = "relu"
    kind = "rectifier"

    def fn(self, z, out=None):
        return np.maximum(z, 0.0, out=out)

    def grad(self, z, a, out=None):
        if out is None:
            out = np.empty_like(z)
        return np.greater(z, 0.0, out=out)  # True/False written as 1.0/0.0


class LeakyReLU(Activation):
    """leaky_relu(z) = z if z > 0 else 0.01 z; its slope never reaches 0, so no unit dies."""

    name = "leaky_relu"
    kind = "rectifier"

    def fn(self, z, out=None):
        # For a slope below 1, max(z, slope * z) is z when z > 0 and slope * z otherwise.
        out = np.multiply(z, LEAKY_SLOPE, out=out)
        return np.maximum(z, out, out=out)

    def grad(self, z, a, out=None):
        if out is None:
            out = np.empty_like(z)
        np.greater(z, 0.0, out=out)  # 1 or 0 ...
        out *= 1.0 - LEAKY_SLOPE  # ... becomes 0.99 or 0 ...
        out += LEAKY_SLOPE  # ... becomes 1 or 0.01
        return out


class Identity(Activation):
    """identity ("linear"): a = z, f'(z) = 1. A stack of linear layers is one linear map."""

    name = "linear"
    kind = "identity"

    def fn(self, z, out=None):
        if out is None:
            return z.copy()
        np.copyto(out, z)
        return out

    def grad(self, z, a, out=None):
        if out is None:
            return np.ones_like(z)
        out.fill(1.0)
        return out


ACTIVATIONS: dict[str, Activation] = {
    a.name: a for a in (Sigmoid(), Tanh(), ReLU(), LeakyReLU(), Identity())
}


def get_activation(name: str) -> Activation:
    """Look up an activation by name; unknown names raise ValueError listing the choices."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"activation must be one of {', '.join(ACTIVATIONS)}; got {name!r}"
        ) from None
