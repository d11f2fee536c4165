"""The trace of one forward/backward pass: every chain-rule quantity, layer by layer.

For layer l (1-based) with input a_in = a_{l-1} (a_0 = X):

    forward    z = a_in @ W + b          a = f(z)
    backward   dL_dz = dL_da * f'(z)                  (hidden layers)
               dL_dz = from the fused loss            (output layer: dL_da, f_prime are None)
               dW_data = a_in.T @ dL_dz               db = dL_dz summed over the batch
               dW = dW_data + l1 * sign(W) + l2 * W   (the penalty gradient)
               dL_da_in = dL_dz @ W.T                 (is dL_da of the layer below)

The arrays are the network's own working buffers, the very ones the gradients and the
optimizer update used, not recomputations. They are overwritten by the next training step
on a batch of the same size: call `trace.copy()` to keep one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

import numpy as np


def _copy(value):
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value.copy() if isinstance(value, np.ndarray) else value


@dataclass
class LayerTrace:
    """One dense layer + activation. N = batch size, in/out = the layer's widths.

    a_in: (N, in) input; z: (N, out) pre-activations; a: (N, out) outputs (y_hat for the
    output layer); dL_da: (N, out) or None (output layer); f_prime: (N, out) f'(z) or None
    (output layer); dL_dz: (N, out); dW: (in, out) total weight gradient; dW_data: (in, out)
    its data part a_in.T @ dL_dz (the same array as dW when l1 = l2 = 0); db: (out,);
    dL_da_in: (N, in), or None for the first layer when the input gradient was skipped.

    A hidden layer with its own settings (see blocks.py) also has: norm, "batch" or "layer"
    with its arrays in `norm_parts` (x_hat, y = gamma x_hat + beta, mu, var, std, gamma,
    beta, dL_dy, dx_hat, mean_dx_hat, mean_dx_hat_x_hat, dgamma, dbeta, running_mean,
    running_var); dropout p and `mask` (N, out), 0 or 1/(1-p); residual (a = layer + a_in,
    dL_da_in = dL_da_through + dL_da). Then z is the affine output before the norm, f_prime
    is f' at the norm's output, and a is the layer's output after dropout and residual.
    """

    index: int
    activation: str
    a_in: np.ndarray
    z: np.ndarray
    a: np.ndarray
    dL_da: np.ndarray | None
    f_prime: np.ndarray | None
    dL_dz: np.ndarray
    dW: np.ndarray
    dW_data: np.ndarray
    db: np.ndarray
    dL_da_in: np.ndarray | None
    norm: str = "none"
    norm_parts: dict | None = None
    dropout: float = 0.0
    mask: np.ndarray | None = None
    residual: bool = False
    act_out: np.ndarray | None = None  # f(y), before dropout and the residual
    dL_da_through: np.ndarray | None = None  # dL_dz @ W.T, before the residual's share

    def copy(self) -> LayerTrace:
        """A deep copy whose arrays survive later steps."""
        copied = replace(self, **{f.name: _copy(getattr(self, f.name)) for f in fields(self)})
        if self.dW_data is self.dW:
            copied.dW_data = copied.dW  # keep "no penalty" visible as identity
        return copied


@dataclass
class Trace:
    """A whole pass: per-layer traces plus the loss.

    loss = data_loss + penalty (floats); y_hat: (N, C) output probabilities ((N, 1) for
    binary cross-entropy); labels: (N,) int; dL_dz_out: (N, C) the loss gradient, the
    output layer's dL_dz; l1, l2: the penalty strengths used.
    """

    layers: list[LayerTrace]
    loss: float
    data_loss: float
    penalty: float
    y_hat: np.ndarray
    labels: np.ndarray
    l1: float = 0.0
    l2: float = 0.0
    loss_name: str = ""
    dL_dz_out: np.ndarray = field(init=False)

    def __post_init__(self):
        self.dL_dz_out = self.layers[-1].dL_dz

    @property
    def X(self) -> np.ndarray:
        """(N, D) the input batch."""
        return self.layers[0].a_in

    def copy(self) -> Trace:
        """A deep copy whose arrays survive later steps."""
        layers = [layer.copy() for layer in self.layers]
        out = Trace(
            layers=layers,
            loss=self.loss,
            data_loss=self.data_loss,
            penalty=self.penalty,
            y_hat=layers[-1].a,
            labels=self.labels.copy(),
            l1=self.l1,
            l2=self.l2,
            loss_name=self.loss_name,
        )
        return out
