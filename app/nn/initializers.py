"""Weight initializers: each draws a (fan_in, fan_out) matrix from an explicit Generator.

The scale matters: if each layer multiplies the variance of its signal by more than 1
activations explode with depth; by less than 1 they vanish. Picking Var(W) from the fan-in
and fan-out keeps the variance roughly constant:

    xavier (Glorot)  Var(W) = 2 / (fan_in + fan_out)   for tanh / sigmoid / linear
    he (Kaiming)     Var(W) = 2 / fan_in               for relu (it zeroes half the signal)
    lecun            Var(W) = 1 / fan_in               for selu-like / tanh
    normal           W ~ N(0, std^2), std = 0.1 by default: no scaling, for experiments
    zeros, constant  every weight 0, or every weight 1 / sqrt(fan_in): no randomness, so every
                     unit of a layer computes the same function, gets the same gradient and
                     stays a copy of the others (the symmetry that random init breaks)

A uniform(-l, l) draw has variance l^2 / 3, hence the sqrt(6 / ...) limits below.

Biases start at zero (all of them, relu included): the random weights already break the
symmetry between units, and zero keeps "no input, no output" easy to read in the app.

Values are drawn in float64 and then cast, so a float32 and a float64 network built from
the same seed start from the same weights (up to rounding).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def xavier_uniform(fan_in, fan_out, rng, dtype=np.float32):
    """returns W: (fan_in, fan_out) ~ U(-l, l), l = sqrt(6 / (fan_in + fan_out))."""
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(dtype)


def xavier_normal(fan_in, fan_out, rng, dtype=np.float32):
    """returns W: (fan_in, fan_out) ~ N(0, 2 / (fan_in + fan_out))."""
    std = np.sqrt(2.0 / (fan_in + fan_out))
    return (std * rng.standard_normal((fan_in, fan_out))).astype(dtype)


def he_uniform(fan_in, fan_out, rng, dtype=np.float32):
    """returns W: (fan_in, fan_out) ~ U(-l, l), l = sqrt(6 / fan_in)."""
    limit = np.sqrt(6.0 / fan_in)
    return rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(dtype)


def he_normal(fan_in, fan_out, rng, dtype=np.float32):
    """returns W: (fan_in, fan_out) ~ N(0, 2 / fan_in)."""
    std = np.sqrt(2.0 / fan_in)
    return (std * rng.standard_normal((fan_in, fan_out))).astype(dtype)


def lecun_normal(fan_in, fan_out, rng, dtype=np.float32):
    """returns W: (fan_in, fan_out) ~ N(0, 1 / fan_in)."""
    std = np.sqrt(1.0 / fan_in)
    return (std * rng.standard_normal((fan_in, fan_out))).astype(dtype)


def normal(fan_in, fan_out, rng, dtype=np.float32, std=0.1):
    """returns W: (fan_in, fan_out) ~ N(0, std^2), std = 0.1 unless given."""
    return (std * rng.standard_normal((fan_in, fan_out))).astype(dtype)


def zeros(fan_in, fan_out, rng, dtype=np.float32):
    """returns W: (fan_in, fan_out) of zeros (rng unused): every unit the same, and silent."""
    return np.zeros((fan_in, fan_out), dtype)


def constant(fan_in, fan_out, rng, dtype=np.float32):
    """returns W: (fan_in, fan_out), every entry 1 / sqrt(fan_in) (rng unused): the units of a
    layer are copies of each other, and training keeps them so."""
    return np.full((fan_in, fan_out), 1.0 / np.sqrt(fan_in), dtype)


Initializer = Callable[..., np.ndarray]

INITIALIZERS: dict[str, Initializer] = {
    f.__name__: f
    for f in (
        xavier_uniform,
        xavier_normal,
        he_uniform,
        he_normal,
        lecun_normal,
        normal,
        zeros,
        constant,
    )
}


def get_initializer(name: str) -> Initializer:
    """Look up an initializer by name; unknown names raise ValueError listing the choices."""
    try:
        return INITIALIZERS[name]
    except (KeyError, TypeError):
        raise ValueError(f"init must be one of {', '.join(INITIALIZERS)}; got {name!r}") from None
