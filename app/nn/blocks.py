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
own gradient buffers; tests/nn/test_blocks.py holds the two equal. A network whose hidden
layers are all plain (one activation, no norm, dropout or residual) never comes here: mlp.py
runs its fused fast path.

Evaluation (the plane, `predict`, test loss): batch norm uses its running statistics
(running = 0.9 running + 0.1 batch, updated by every training step), dropout is off.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from .activations import const, get_activation

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
    Batch norm's running_mean, running_var (H,) live here (not trained: no gradient)."""

    def __init__(self, index: int, spec: LayerSpec, params, grads, dtype):
        self.index, self.spec = index, spec
        self.act = get_activation(spec.activation)
        self.W, self.b = params[f"W{index}"], params[f"b{index}"]
        self.dW, self.db = grads[f"W{index}"], grads[f"b{index}"]
        if spec.norm != "none":
            name = f"norm{index}"
            self.gamma, self.beta = params[f"{name}.gamma"], params[f"{name}.beta"]
            self.dgamma, self.dbeta = grads[f"{name}.gamma"], grads[f"{name}.beta"]
        if spec.norm == "batch":
            self.running_mean = np.zeros(spec.units, dtype)
            self.running_var = np.ones(spec.units, dtype)
        self.keep = dtype(1.0 - spec.dropout)
        self.cache: dict | None = None  # what the last training pass saw, for backward

    def forward(self, x, train: bool, rng=None, mask=None, update_stats: bool = True):
        """x: (N, D) -> h: (N, H). train: batch statistics and dropout (mask given, or drawn
        from rng as reference.dropout_forward draws it), and a cache for backward."""
        spec = self.spec
        z = np.dot(x, self.W)
        z += self.b
        y, norm = z, None
        if spec.norm == "batch" and not train:
            y = (z - self.running_mean) / np.sqrt(self.running_var + EPS) * self.gamma + self.beta
        elif spec.norm != "none":
            axis = 0 if spec.norm == "batch" else 1
            mu = _mean(z, axis)
            xc = np.subtract(z, mu)
            var = _mean(np.multiply(xc, xc), axis)
            std = np.add(var, const(EPS, z.dtype))
            np.sqrt(std, out=std)
            x_hat = np.divide(xc, std, out=xc)
            y = np.multiply(x_hat, self.gamma)
            y += self.beta
            norm = {"x_hat": x_hat, "std": std, "mu": mu, "var": var, "y": y}
            if spec.norm == "batch" and update_stats:
                _follow(self.running_mean, mu[0])
                _follow(self.running_var, var[0])
        f = self.act.fn(y)
        d = f
        if train and spec.dropout:
            if mask is None:  # as reference.dropout_forward: kept / (1 - p)
                mask = np.divide(np.greater_equal(rng.random(f.shape), spec.dropout), self.keep)
            d = np.multiply(f, mask)
        else:
            mask = None
        h = d + x if spec.residual else d
        if train:
            self.cache = {"x": x, "z": z, "norm": norm, "y": y, "f": f, "mask": mask, "h": h}
        return h

    def backward(self, dh, need_dx: bool = True):
        """dh: (N, H) = dL/dh -> dL/dx (N, D), or None when not needed. Writes dW, db and
        dgamma, dbeta; keeps f'(y), dL/dy, dL/dz in the cache for the trace."""
        c, spec = self.cache, self.spec
        df = np.multiply(dh, c["mask"]) if c["mask"] is not None else dh
        f_prime = self.act.grad(c["y"], c["f"])
        dy = np.multiply(df, f_prime)
        dz = dy
        if c["norm"] is not None and spec.norm == "batch":
            # batch norm's sums over the batch are dbeta and dgamma themselves:
            # mean(dx_hat) = gamma dbeta / N, mean(dx_hat x_hat) = gamma dgamma / N, so
            # dz = gamma / std * (dy - dbeta / N - x_hat dgamma / N): 9 calls, not 13
            x_hat, inv_n = c["norm"]["x_hat"], const(1.0 / dy.shape[0], dy.dtype)
            np.add.reduce(dy, axis=0, out=self.dbeta)
            np.add.reduce(np.multiply(dy, x_hat), axis=0, out=self.dgamma)
            dz = np.multiply(x_hat, np.multiply(self.dgamma, inv_n))
            np.subtract(dy, dz, out=dz)
            dz -= np.multiply(self.dbeta, inv_n)
            scale = np.divide(self.gamma, c["norm"]["std"])  # kept: gamma changes after the step
            dz *= scale
            c["norm"]["scale"] = scale
        elif c["norm"] is not None:
            n = c["norm"]
            x_hat, axis = n["x_hat"], 1
            np.add.reduce(dy, axis=0, out=self.dbeta)
            np.add.reduce(np.multiply(dy, x_hat), axis=0, out=self.dgamma)
            dx_hat = np.multiply(dy, self.gamma)
            mean_dx_hat = _mean(dx_hat, axis)
            mean_dx_hat_x_hat = _mean(np.multiply(dx_hat, x_hat), axis)
            # the three terms: direct, the mean's share, the variance's share; all / std
            dz = np.multiply(x_hat, mean_dx_hat_x_hat)
            np.subtract(dx_hat, dz, out=dz)
            dz -= mean_dx_hat
            dz /= n["std"]
            n.update(dx_hat=dx_hat, mean_dx_hat=mean_dx_hat, mean_dx_hat_x_hat=mean_dx_hat_x_hat)
        np.dot(c["x"].T, dz, out=self.dW)
        np.add.reduce(dz, axis=0, out=self.db)
        c.update(dh=dh, f_prime=f_prime, dy=dy, dz=dz)
        if not need_dx:
            return None
        dx = np.dot(dz, self.W.T)
        c["dx_through"] = dx
        if spec.residual:
            dx = dx + dh  # the skip's share
        return dx


def _mean(a: np.ndarray, axis: int) -> np.ndarray:
    """The mean over `axis`, kept as a dimension: a sum times 1/n. (ndarray.mean spends
    ~3 us in Python on arrays this small.)"""
    total = np.add.reduce(a, axis=axis, keepdims=True)
    total *= const(1.0 / a.shape[axis], a.dtype)
    return total


def _follow(running: np.ndarray, batch: np.ndarray) -> None:
    """running <- MOMENTUM running + (1 - MOMENTUM) batch, in place."""
    running *= const(MOMENTUM, running.dtype)
    running += np.multiply(batch, const(1.0 - MOMENTUM, running.dtype))


def forward_blocks(blocks, X, train: bool, rng=None, masks=None, update_stats=True):
    """X: (N, D) through every hidden block -> [h_1, ..., h_{L-1}]. masks: None (draw) or
    one dropout mask (or None) per block, e.g. a traced step's, to repeat it exactly."""
    hs, h = [], X
    for i, block in enumerate(blocks):
        mask = masks[i] if masks is not None else None
        h = block.forward(h, train, rng, mask, update_stats)
        hs.append(h)
    return hs


def backward_blocks(blocks, dh, input_grad: bool):
    """dh: (N, H_{L-1}) = dL/dh of the last hidden layer; writes every block's gradients.
    Returns dL/dX (N, D) when input_grad, else None."""
    for i in range(len(blocks) - 1, -1, -1):
        dh = blocks[i].backward(dh, need_dx=i > 0 or input_grad)
    return dh


def block_trace(block, grads, dW_data=None):
    """The LayerTrace of a block's last training pass (its cache: the arrays it used).
    dW_data: the data part of dW when a penalty was added (else dW itself)."""
    from .trace import LayerTrace  # trace.py describes; blocks.py computes

    c, spec, i = block.cache, block.spec, block.index
    parts = None
    if c["norm"] is not None:
        n = c["norm"]
        if "dx_hat" not in n:  # batch norm's backward took the short way: the three terms
            dx_hat = c["dy"] * (n["scale"] * n["std"])  # dy * gamma, the step's gamma
            n["dx_hat"] = dx_hat
            n["mean_dx_hat"] = dx_hat.mean(axis=0, keepdims=True)
            n["mean_dx_hat_x_hat"] = (dx_hat * n["x_hat"]).mean(axis=0, keepdims=True)
        parts = {
            "x_hat": n["x_hat"],
            "y": n["y"],
            "mu": n["mu"],
            "var": n["var"],
            "std": n["std"],
            "gamma": block.gamma,
            "beta": block.beta,
            "dL_dy": c["dy"],
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
        a_in=c["x"],
        z=c["z"],
        a=c["h"],
        dL_da=c["dh"],
        f_prime=c["f_prime"],
        dL_dz=c["dz"],
        dW=dW,
        dW_data=dW if dW_data is None else dW_data,
        db=grads[f"b{i}"],
        dL_da_in=None,  # the network fills it in: the next block's dh, or dL/dX
        norm=spec.norm,
        norm_parts=parts,
        dropout=spec.dropout,
        mask=c["mask"],
        residual=spec.residual,
        act_out=c["f"],
        dL_da_through=c.get("dx_through"),
    )
