"""Hidden layers with their own settings: activation, normalisation, dropout, residual.

One hidden layer l, input x: (N, D), output h: (N, H):

    z = x @ W + b                      affine
    y = gamma * x_hat + beta           norm "batch" or "layer" (else y = z),
                                       x_hat = (z - mu) / sqrt(var + eps)
    f = act(y)                         its own activation
    d = f * mask                       dropout p: mask is 0 or 1 / (1 - p) (else d = f)
    h = d + x                          residual (needs D = H; else h = d)

Backward runs it in reverse; the residual's gradient splits: dL/dx = dL/dz @ W^T (through the
layer) + dL/dh (the skip). The math is app/nn/reference.py's, written here into the network's
own gradient buffers and a workspace's (block_workspace.py: why batch norm is written in
matrix products there); tests/nn/test_blocks.py holds the two equal. A network whose hidden
layers are all plain (one activation, no norm, dropout or residual) never comes here: mlp.py
runs its fused fast path.

Evaluation (the plane, `predict`, test loss): batch norm uses its running statistics
(running = 0.9 running + 0.1 batch, updated by every training step), dropout is off.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass

import numpy as np

from .activations import const, get_activation
from .layers import dot

NORMS = ("none", "batch", "layer")
EPS = 1e-5  # added to the variance before the square root
MOMENTUM = 0.9  # running statistics keep this share of their old value each step
MAX_DROPOUT = 0.9


@dataclass(frozen=True)
class LayerSpec:
    """One hidden layer's settings; `plain` when it is a dense layer and its activation."""

    units: int
    activation: str
    norm: str = "none"
    dropout: float = 0.0
    residual: bool = False

    @property
    def plain(self) -> bool:
        return self.norm == "none" and not self.dropout and not self.residual

    def to_dict(self) -> dict:
        return asdict(self)


def layer_specs(sizes: list[int], activation: str, layers=None) -> list[LayerSpec]:
    """The hidden layers of sizes = [inputs, hidden..., outputs] as specs. layers: None
    (every layer plain with `activation`) or one entry per hidden layer, a LayerSpec or a
    dict of its fields (units taken from sizes, activation defaulting to `activation`).
    Raises ValueError naming `layers` and the index."""
    hidden = sizes[1:-1]
    if layers is None:
        layers = [{} for _ in hidden]
    if len(layers) != len(hidden):
        raise ValueError(f"layers must have one entry per hidden layer ({len(hidden)})")
    specs = []
    for i, (units, entry) in enumerate(zip(hidden, layers, strict=True)):
        fields = entry.to_dict() if isinstance(entry, LayerSpec) else dict(entry)
        fields["units"] = units
        fields.setdefault("activation", activation)
        spec = LayerSpec(**fields)
        get_activation(spec.activation)
        if spec.norm not in NORMS:
            raise ValueError(f"layers[{i}].norm must be one of {', '.join(NORMS)}")
        if not 0.0 <= spec.dropout <= MAX_DROPOUT:
            raise ValueError(f"layers[{i}].dropout must be between 0 and {MAX_DROPOUT}")
        if spec.residual and sizes[i] != units:
            raise ValueError(
                f"layers[{i}].residual needs the layer's input width ({sizes[i]}) "
                f"to equal its units ({units})"
            )
        specs.append(spec)
    return specs


class HiddenBlock:
    """Hidden layer `index` (1-based) of a network; its parameters are views owned by the
    network: Wb = [W; b] (D+1, H) and, with a norm, gamma, beta (H,), with their grads.
    Batch norm's running_mean, running_var (H,) live here (not trained: no gradient).

    Training runs on a block_workspace.BlockParts (its buffers at the batch size); `last`
    keeps what the last training pass used, for backward and the trace."""

    def __init__(self, index: int, spec: LayerSpec, params, grads, dtype):
        self.index, self.spec = index, spec
        self.act = get_activation(spec.activation)
        self.Wb, self.dWb = params.blocks[index - 1], grads.blocks[index - 1]
        self.W, self.b = self.Wb[:-1], self.Wb[-1]
        self.W_T = self.W.T
        # tanh's derivative times the dropout mask in two calls (not when h = f mask + x)
        self.tanh_mask = spec.activation == "tanh" and not spec.residual
        self.norm, self.residual, self.act_fn = spec.norm, spec.residual, self.act.fn
        self.dW, self.db = self.dWb[:-1], self.dWb[-1]
        if spec.norm != "none":
            name, units = f"norm{index}", spec.units
            self.gamma, self.beta = params[f"{name}.gamma"], params[f"{name}.beta"]
            self.dgamma, self.dbeta = grads[f"{name}.gamma"], grads[f"{name}.beta"]
            at = grads.offsets[f"{name}.gamma"]  # beta follows gamma: one (2, H) block
            self.dgamma_beta = grads.flat[at : at + 2 * units].reshape(2, units)
        if spec.norm == "batch":
            self.running = np.zeros((2, spec.units), dtype)  # [running_mean; running_var]
            self.running[1] = 1.0
            self.running_mean, self.running_var = self.running[0], self.running[1]
        self.last = None  # (parts, x, mask, h, dh, dx_through, layer norm's parts)

    def evaluate(self, x):
        """x: (N, D) -> h: (N, H), as at evaluation: running statistics, no dropout."""
        spec = self.spec
        y = np.dot(x, self.W)
        y += self.b
        if spec.norm == "batch":
            y = (y - self.running_mean) / np.sqrt(self.running_var + EPS) * self.gamma + self.beta
        elif spec.norm == "layer":
            y = _layernorm(y, self.gamma, self.beta)["y"]
        h = self.act.fn(y)
        return h + x if spec.residual else h

    def forward(self, P, x, x1, next_x1, mask, update_stats: bool):
        """One training pass. x: (N, D) the input, x1: (N, D+1) the same beside a column of
        ones; mask: (N, H) dropout mask or None. Writes h (N, H) into next_x1[:, :-1], the
        next layer's input, and returns it (a buffer of P)."""
        z = dot(x1, self.Wb, out=P.z)  # x @ W + b
        norm, kind = None, self.norm
        if kind == "batch" and P.products:  # inline (a Python call: ~1,000 instructions)
            if update_stats:
                P.running_in[...] = self.running
            C = P.center
            xc = dot(C, z, out=P.xc) if C is not None else P.subtract_mean(z, P.xc)  # z - mu
            np.multiply(xc, xc, out=P.sq)
            dot(P.means, P.v, out=P.stats)  # mu, var, var + eps, running', -N (var + eps)
            std = np.sqrt(P.var_eps, out=P.std)[0]
            np.divide(self.gamma, std, out=P.scale_diag)  # backward reuses it
            beta_rows = P.beta_rows
            beta_rows[...] = self.beta
            y = dot(xc, P.scale, out=P.y)
            y += beta_rows
            if update_stats:
                self.running[...] = P.running_out
        elif kind == "batch":
            y = self._batchnorm(P, z, update_stats)
        elif kind == "layer":
            norm = _layernorm(z, self.gamma, self.beta)
            y = norm["y"]
        else:
            y = z
        h = f = self.act_fn(y, P.f)
        if mask is not None:
            h = np.multiply(f, mask, out=P.h)
        if self.residual:
            h = np.add(h, x, out=P.h)
        next_x1[:, :-1] = h
        self.last = [P, x, y, mask, h, None, None, norm]
        return h

    def _batchnorm(self, P, z, update_stats):
        """z: (N, H) -> y = gamma x_hat + beta (N, H), as broadcasting ufuncs (a batch or a
        layer past block_workspace.DIAG_MAX)."""
        if update_stats:
            P.running_in[...] = self.running
        np.subtract(z, dot(P.mean_row, z), out=P.xc)  # z - mu
        np.multiply(P.xc, P.xc, out=P.sq)
        dot(P.means, P.v, out=P.stats)  # mu, var, var + eps, the next running statistics
        np.sqrt(P.var_eps, out=P.std)
        np.divide(P.xc, P.std, out=P.x_hat)
        y = np.multiply(P.x_hat, self.gamma, out=P.y)
        y += self.beta
        if update_stats:
            self.running[...] = P.running_out
        return y

    def backward(self, dh, x1_T, need_dx: bool = True):
        """dh: (N, H) = dL/dh -> dL/dx (N, D), or None when not needed. x1_T: (D+1, N) the
        input with its ones, transposed. Writes dW, db and dgamma, dbeta."""
        last = self.last
        P, y, mask = last[0], last[2], last[3]
        if self.tanh_mask and mask is not None:  # tanh'(y) mask = mask - f h, as h = f mask
            fp = P.df
            if not P.folded:  # else the workspace made it for every layer at once
                np.subtract(mask, np.multiply(P.f, last[4], out=fp), out=fp)
            dy = np.multiply(dh, fp, out=P.dy)
        else:
            df = np.multiply(dh, mask, out=P.df) if mask is not None else dh
            dy = np.multiply(df, self.act.grad(y, P.f, P.f_prime), out=P.dy)
        if self.norm == "batch":
            # dz = gamma / std (dy - mean(dy) - x_hat mean(dy x_hat)): the reference's three
            # terms, whose sums over the batch are dbeta and dgamma themselves
            if P.products:  # with xc for x_hat (block_workspace.py)
                np.multiply(dy, P.xc, out=P.dy_x_hat)
                dgamma = self.dgamma
                dot(P.sums, P.dyx_dy, out=self.dgamma_beta)  # [dgamma std; dbeta]
                np.divide(dgamma, P.minus_n_var_eps, out=P.k_diag)  # -dgamma / (N std)
                np.divide(dgamma, P.std_row, out=dgamma)
                C = P.center
                r = dot(C, dy, out=P.r) if C is not None else P.subtract_mean(dy, P.r)
                r += dot(P.xc, P.k, out=P.t)  # - x_hat dgamma / N
                dz = dot(r, P.scale, out=P.dz)  # diag(gamma / std), from forward
            else:
                np.multiply(dy, P.x_hat, out=P.dy_x_hat)
                dot(P.sums, P.dyx_dy, out=self.dgamma_beta)
                r = np.subtract(dy, dot(P.mean_row, dy), out=P.r)
                r -= np.multiply(P.x_hat, self.dgamma * P.inv_n, out=P.t)
                np.divide(self.gamma, P.std_row, out=P.scale_diag)
                dz = np.multiply(r, P.scale_diag, out=P.dz)
        elif self.norm == "layer":
            dz = P.dz
            dz[...] = _layernorm_backward(last[7], dy, self.gamma, self.dgamma, self.dbeta)
        else:
            dz = dy
        dot(x1_T, dz, out=self.dWb)  # [dW; db] = [x, 1]^T dz
        last[5] = dh
        if not need_dx:
            return None
        dx = dot(dz, self.W_T, out=P.dx)
        last[6] = dx
        if self.residual:
            dx = np.add(dx, dh, out=P.dx_skip)  # the skip's share
        return dx


def _layernorm(z, gamma, beta) -> dict:
    """reference.layernorm_forward, its arrays in a dict (the trace shows them)."""
    mu = _mean(z, 1)
    xc = np.subtract(z, mu)
    var = _mean(np.multiply(xc, xc), 1)
    std = np.add(var, const(EPS, z.dtype))
    np.sqrt(std, out=std)
    x_hat = np.divide(xc, std, out=xc)
    y = np.multiply(x_hat, gamma)
    y += beta
    return {"x_hat": x_hat, "std": std, "mu": mu, "var": var, "y": y}


def _layernorm_backward(n: dict, dy, gamma, dgamma, dbeta):
    """reference.layernorm_backward: dz (N, H); dgamma, dbeta written in place."""
    x_hat = n["x_hat"]
    ones = _constant(len(dy), 1.0, dy.dtype)[:, 0]  # sums over the batch as products
    dot(ones, dy, out=dbeta)
    dot(ones, np.multiply(dy, x_hat), out=dgamma)
    dx_hat = np.multiply(dy, gamma)
    mean_dx_hat = _mean(dx_hat, 1)
    mean_dx_hat_x_hat = _mean(np.multiply(dx_hat, x_hat), 1)
    # the three terms: direct, the mean's share, the variance's share; all / std
    dz = np.multiply(x_hat, mean_dx_hat_x_hat)
    np.subtract(dx_hat, dz, out=dz)
    dz -= mean_dx_hat
    dz /= n["std"]
    n.update(dx_hat=dx_hat, mean_dx_hat=mean_dx_hat, mean_dx_hat_x_hat=mean_dx_hat_x_hat)
    return dz


def _mean(a: np.ndarray, axis: int) -> np.ndarray:
    """The mean over `axis` of a 2-D array, kept as a dimension, as a product with a column
    of 1/n: a reduction along an axis of a small array loops over the other one (4.6 us
    against 0.4 for the product at (100, 8); ndarray.mean adds ~3 us of Python)."""
    n = a.shape[axis]
    w = _constant(n, 1.0 / n, a.dtype)
    return dot(a, w) if axis == 1 else dot(w.T, a)


@functools.lru_cache(maxsize=64)
def _constant(n: int, value: float, dtype) -> np.ndarray:
    """A read-only column (n, 1) of `value`, made once per size."""
    column = np.full((n, 1), value, dtype)
    column.flags.writeable = False
    return column


def forward_blocks(blocks, X):
    """X: (N, D) through every hidden block as at evaluation -> [h_1, ..., h_{L-1}]."""
    hs, h = [], X
    for block in blocks:
        h = block.evaluate(h)
        hs.append(h)
    return hs


def block_trace(block, grads, dW_data=None):
    """The LayerTrace of a block's last training pass (`block.last`: the arrays it used).
    dW_data: the data part of dW when a penalty was added (else dW itself)."""
    from .trace import LayerTrace  # trace.py describes; blocks.py computes

    P, x, y, mask, h, dh, dx_through, n = block.last
    spec, i = block.spec, block.index
    parts = None
    if spec.norm == "batch":  # the three terms of dx, which backward took the short way
        dx_hat = P.dy * (P.scale_diag * P.std_row)  # dy * gamma, the step's gamma
        x_hat = P.xc / P.std if P.x_hat is None else P.x_hat
        n = {
            "x_hat": x_hat,
            "y": y,
            "mu": P.mu,
            "var": P.var,
            "std": P.std,
            "dx_hat": dx_hat,
            "mean_dx_hat": dx_hat.mean(axis=0, keepdims=True),
            "mean_dx_hat_x_hat": (dx_hat * x_hat).mean(axis=0, keepdims=True),
        }
    if n is not None:
        parts = {
            "x_hat": n["x_hat"],
            "y": n["y"],
            "mu": n["mu"],
            "var": n["var"],
            "std": n["std"],
            "gamma": block.gamma,
            "beta": block.beta,
            "dL_dy": P.dy,
            "dx_hat": n["dx_hat"],
            "mean_dx_hat": n["mean_dx_hat"],
            "mean_dx_hat_x_hat": n["mean_dx_hat_x_hat"],
            "dgamma": block.dgamma,
            "dbeta": block.dbeta,
        }
        if spec.norm == "batch":
            parts.update(running_mean=block.running_mean, running_var=block.running_var)
    dW = grads[f"W{i}"]
    return LayerTrace(
        index=i,
        activation=spec.activation,
        a_in=x,
        z=P.z,
        a=h,
        dL_da=dh,
        f_prime=block.act.grad(y, P.f, P.f_prime),  # backward may have folded it in
        dL_dz=P.dz if spec.norm != "none" else P.dy,
        dW=dW,
        dW_data=dW if dW_data is None else dW_data,
        db=grads[f"b{i}"],
        dL_da_in=None,  # the network fills it in: the next block's dh, or dL/dX
        norm=spec.norm,
        norm_parts=parts,
        dropout=spec.dropout,
        mask=mask,
        residual=spec.residual,
        act_out=P.f,
        dL_da_through=dx_through,
    )
