"""The multi-layer perceptron: a stack of Linear layers, one activation, a fused loss.

    a_0 = X                                   (N, sizes[0])
    z_l = a_{l-1} @ W_l + b_l,  a_l = f(z_l)  hidden layers l = 1 .. L-1
    z_L = a_{L-1} @ W_L + b_L                 output pre-activations (N, sizes[-1])
    loss = mean data loss(z_L, y) + l1 * sum|W| + 0.5 * l2 * sum W^2

Backward runs the chain rule from the top: the loss gives dL/dz_L; each Linear turns
dL/dz into dL/dW, dL/db and dL/da of the layer below; the activation turns dL/da into
dL/dz = dL/da * f'(z). One `_forward` serves training and inference alike.

Speed, because the app runs tens of thousands of tiny steps a second (a 2-8-8-1 step is
~30 NumPy calls, each ~0.3-0.5 us of overhead for a few dozen numbers): parameters and
every intermediate array live in preallocated buffers (buffers.py), written in place;
`net.trace` refers to them (overwritten by the next step of that batch size). A step
computes only what training needs: y_hat is filled in when the trace is read, dL/dX only
when asked for, and inputs are checked once per dataset by callers that pass check=False
(the session does: ~3 us a step).
"""

from __future__ import annotations

import math

import numpy as np

from .activations import get_activation
from .blocks import HiddenBlock, forward_blocks, layer_specs
from .buffers import ParamDict, Workspace
from .initializers import get_initializer
from .layers import Linear
from .losses import REGRESSION, get_loss, r_squared
from .mlp_blocks import BlocksMixin, _with_ones
from .regularization import add_penalty_grad, penalty
from .trace import LayerTrace, Trace

DTYPES = {"float32": np.float32, "float64": np.float64}
_MAX_WORKSPACES = 8  # batch sizes whose buffers are kept (e.g. batch + last partial batch)


class MLP(BlocksMixin):
    """A fully connected network. sizes = [inputs, hidden..., outputs], e.g. [2, 8, 8, 3].

    activation: hidden-layer activation name; loss: output+loss name (its activation is
    fused: softmax, sigmoid or linear); init: initializer name; dtype: "float32" (default)
    or "float64"; seed: int or np.random.Generator, the only source of randomness (used
    for the initial weights); l1, l2: weight penalties, changeable between steps.
    targets: "classes" (y holds integer labels) or "values" (regression: y holds real
    targets, (N,) for one output or (N, K); loss must be "mse", and y_hat = z unclipped).
    layers: None, or one entry per hidden layer (a blocks.LayerSpec or a dict of activation,
    norm, dropout, residual): layers with their own settings run through blocks.py, and
    draw their dropout masks from the same generator after the initial weights.
    """

    def __init__(
        self,
        sizes,
        activation="tanh",
        loss="cross_entropy",
        init="xavier_uniform",
        dtype="float32",
        seed=0,
        l1=0.0,
        l2=0.0,
        targets="classes",
        layers=None,
    ):
        sizes = _check_sizes(sizes)
        self.specs = layer_specs(sizes, activation, layers)
        self.act = get_activation(activation)
        self.loss_fn = get_loss(loss)
        self.targets = _check_targets(targets, self.loss_fn.name)
        if targets == "values":
            self.loss_fn = REGRESSION
        initializer = get_initializer(init)
        self.dtype = _check_dtype(dtype)
        _check_outputs(self.loss_fn.name, sizes[-1])
        self.sizes, self.init = sizes, init
        self.l1, self.l2 = _check_penalty("l1", l1), _check_penalty("l2", l2)
        self.rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        self.seed = None if isinstance(seed, np.random.Generator) else seed

        norms = tuple((i, s.units) for i, s in enumerate(self.specs, 1) if s.norm != "none")
        self.params = ParamDict(sizes, self.dtype, norms)  # biases start at 0
        self.grads = ParamDict(sizes, self.dtype, norms)
        for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=False), 1):
            self.params[f"W{i}"][...] = initializer(fan_in, fan_out, self.rng, self.dtype)
        for i, _ in norms:
            self.params[f"norm{i}.gamma"][...] = 1.0  # beta starts at 0: y = x_hat
        blocks = zip(self.params.blocks, self.grads.blocks, strict=True)
        self.layers = [Linear(Wb, dWb) for Wb, dWb in blocks]
        # Layers with their own settings go through blocks.py; plain nets keep the fast path.
        self.blocks = None
        if not all(s.plain and s.activation == self.act.name for s in self.specs):
            self.blocks = [
                HiddenBlock(i, s, self.params, self.grads, self.dtype)
                for i, s in enumerate(self.specs, 1)
            ]
        # The data part of the gradients, kept for the trace when a penalty is added on top.
        self._data_grads = np.zeros_like(self.grads.flat)
        self._workspaces: dict[int, Workspace] = {}
        self._last: Workspace | None = None  # the workspace of the last training pass
        self._last_blocks: tuple | None = None  # the same for a net with blocks
        self._block_workspaces: dict = {}  # batch size -> its block_workspace.BlockWorkspace

    # ---- description -------------------------------------------------------------------
    activation = property(lambda self: self.act.name, doc="hidden activation name")
    loss_name = property(lambda self: self.loss_fn.name, doc="loss name")
    n_outputs = property(lambda self: self.sizes[-1], doc="output units")
    n_classes = property(lambda self: self.loss_fn.n_classes(self.sizes[-1]), doc="classes")
    activations = property(lambda self: [s.activation for s in self.specs], doc="per hidden layer")

    def __repr__(self) -> str:
        return (
            f"MLP({self.sizes}, activation={self.activation!r}, loss={self.loss_name!r}, "
            f"dtype={np.dtype(self.dtype).name!r})"
        )

    # ---- the forward pass, for training and inference ----------------------------------
    def _forward(self, X: np.ndarray, ws: Workspace) -> np.ndarray:
        """X: (N, D); fills ws.z and ws.a of the hidden layers; returns z_L: (N, C)."""
        ws.x[0][...] = X  # beside the column of ones (the bias trick, see layers.py)
        layers, f = self.layers, self.act.fn
        for i in range(len(layers) - 1):
            z = layers[i].forward(ws.x1[i], ws.z[i])  # z = x @ W + b
            ws.x[i + 1][...] = f(z, ws.a[i])  # a = f(z), the next layer's input
        return layers[-1].forward(ws.x1[-1], ws.z[-1])

    def _infer(self, X) -> tuple[list[np.ndarray], np.ndarray]:
        """X: (N, D) -> ([a_1, ..., a_{L-1}] fresh arrays, z_L (N, C)); the trace is untouched."""
        X = self._check_X(X)
        if self.blocks is not None:  # evaluation: running statistics, no dropout
            hidden = forward_blocks(self.blocks, X)
            return hidden, self.layers[-1].forward(_with_ones(hidden[-1] if hidden else X), None)
        ws = Workspace(self.sizes, X.shape[0], self.dtype, backward=False)
        return ws.a[:-1], self._forward(X, ws)

    def forward_layers(self, X) -> list[np.ndarray]:
        """X: (N, D); returns [a_1 (N, h_1), ..., a_{L-1}, y_hat (N, C)]."""
        hidden, z = self._infer(X)
        return hidden + [self.loss_fn.probs(z)]

    def predict_proba(self, X) -> np.ndarray:
        """X: (N, D); returns y_hat (N, C), for binary_cross_entropy (N, 1) = P(class 1)."""
        return self.loss_fn.probs(self._infer(X)[1])

    def predict(self, X) -> np.ndarray:
        """X: (N, D); returns (N,) int class labels."""
        return self.loss_fn.predict(self._infer(X)[1])

    def loss(self, X, y) -> float:
        """X: (N, D), y: (N,) int labels; returns mean data loss + penalty."""
        z = self._infer(X)[1]
        y = self._check_y(y, z.shape[0])
        return self.loss_fn.loss(z, y) + self._penalty()

    def evaluate(self, X, y) -> tuple[float, float, list[np.ndarray]]:
        """One forward pass for a report: X: (N, D), y: (N,) int labels.

        Returns (loss incl. penalty, score, [a_1 (N, h_1), ..., y_hat (N, C)]); the score
        is the accuracy for classes, R² (coefficient of determination) for real targets.
        """
        hidden, z = self._infer(X)
        y = self._check_y(y, z.shape[0])
        loss = self.loss_fn.loss(z, y) + self._penalty()
        if self.targets == "values":
            score = r_squared(z, y)
        else:
            score = float(np.mean(self.loss_fn.predict(z) == y))
        return loss, score, hidden + [self.loss_fn.probs(z)]

    # ---- training ----------------------------------------------------------------------
    def gradients(self, X, y, input_grad: bool = False, check: bool = True, masks=None):
        """X: (N, D), y: (N,) int labels; returns (loss, grads).

        grads is `net.grads`: name -> array like params, the live buffers (overwritten by
        the next call; copy to keep). Also sets `net.trace`. input_grad=True also computes
        dL/dX (trace.layers[0].dL_da_in); check: see train_step. Batch norm's running
        statistics are left as they are; masks: the dropout masks to use (see train_loss).
        """
        if check:
            X, y = self.check_inputs(X, y)
        if self.blocks is not None:
            return self._blocks_step(X, y, input_grad, masks, update_stats=False), self.grads
        return self._forward_backward(X, y, input_grad), self.grads

    def train_step(self, X, y, optimizer, check: bool = True) -> float:
        """One gradient step on the batch (X (N, D), y (N,)); returns the loss before it.

        check=False skips the input checks, for callers that ran `check_inputs` once on the
        whole dataset (X already in the network's dtype, labels in range).
        """
        if check:
            X, y = self.check_inputs(X, y)
        if self.blocks is None:
            loss = self._forward_backward(X, y, False)
        else:
            loss = self._blocks_step(X, y, False, None, update_stats=True)
        optimizer.step(self.params, self.grads)
        return loss

    def _forward_backward(self, X: np.ndarray, y: np.ndarray, input_grad: bool) -> float:
        """Fills self.grads with dL/dparams for the batch; returns data loss + penalty."""
        ws = self._workspaces.get(len(y)) or self._workspace(len(y))
        z = self._forward(X, ws)
        dz = ws.dL_dz[-1]
        data_loss = self.loss_fn.forward(z, y, dz)  # and dL/dz_L into dz

        # backward, from the top: dL/dz of layer i gives dW_i, db_i and dL/da of the layer
        # below, which times f'(z) of that layer is its dL/dz
        fp = self.act.grad(ws.z_hidden, ws.a_hidden, ws.f_prime_hidden)  # every hidden f'(z)
        if fp is not ws.f_prime_hidden:  # an activation that ignored `out`
            ws.f_prime_hidden[...] = fp
        layers = self.layers
        for i in range(len(layers) - 1, 0, -1):
            da = layers[i].backward(ws.x1_T[i], dz, ws.dL_da[i - 1])
            dz = np.multiply(da, ws.f_prime[i - 1], out=ws.dL_dz[i - 1])  # dL/dz = dL/da * f'(z)
        if input_grad and ws.dX is None:
            ws.dX = np.empty_like(X, dtype=self.dtype)
        layers[0].backward(ws.x1_T[0], dz, ws.dX if input_grad else None)

        pen, l1, l2 = 0.0, self.l1, self.l2
        if l1 or l2:  # keep the data gradient for the trace, then add the penalty's
            np.copyto(self._data_grads, self.grads.flat)
            for layer in self.layers:
                add_penalty_grad(layer.W, layer.dW, l1, l2)
            pen = self._penalty()
        ws.X, ws.y, ws.data_loss, ws.penalty = X, y, data_loss, pen
        ws.l1, ws.l2, ws.input_grad = l1, l2, input_grad
        self._last = ws
        return data_loss + pen

    def _penalty(self) -> float:
        """l1 * sum|W| + 0.5 * l2 * sum W^2 over every layer's weights (not the biases)."""
        return penalty([layer.W for layer in self.layers], self.l1, self.l2)

    def _workspace(self, n: int) -> Workspace:
        if len(self._workspaces) >= _MAX_WORKSPACES:
            self._workspaces.pop(next(iter(self._workspaces)))
        ws = self._workspaces[n] = Workspace(self.sizes, n, self.dtype)
        return ws

    @property
    def trace(self) -> Trace | None:
        """Trace of the last gradients()/train_step() (None before): references to the
        buffers that step used, valid until the next step on a batch of the same size."""
        if self._last is None and self._last_blocks is not None:
            return self._blocks_trace()
        ws = self._last
        if ws is None:
            return None
        penalised = bool(ws.l1 or ws.l2)
        last = len(self.layers) - 1
        self.loss_fn.probs(ws.z[last], out=ws.a[last])  # y_hat, which training never needs
        layers = []
        for i in range(last + 1):
            W, hidden = f"W{i + 1}", i < last
            layers.append(
                LayerTrace(
                    index=i + 1,
                    activation=self.activation if hidden else self.loss_fn.output_activation,
                    a_in=ws.X if i == 0 else ws.a[i - 1],
                    z=ws.z[i],
                    a=ws.a[i],
                    dL_da=ws.dL_da[i] if hidden else None,
                    f_prime=ws.f_prime[i] if hidden else None,
                    dL_dz=ws.dL_dz[i],
                    dW=self.grads[W],
                    dW_data=self.grads.view(self._data_grads, W) if penalised else self.grads[W],
                    db=self.grads[f"b{i + 1}"],
                    dL_da_in=ws.dL_da[i - 1] if i > 0 else (ws.dX if ws.input_grad else None),
                )
            )
        return Trace(
            layers=layers,
            loss=ws.data_loss + ws.penalty,
            data_loss=ws.data_loss,
            penalty=ws.penalty,
            y_hat=ws.a[last],
            labels=ws.y,
            l1=ws.l1,
            l2=ws.l2,
            loss_name=self.loss_name,
        )

    # ---- parameters --------------------------------------------------------------------
    def copy_params(self) -> dict[str, np.ndarray]:
        """returns name -> a copy of each parameter (a snapshot)."""
        return {k: v.copy() for k, v in self.params.items()}

    def set_params(self, values: dict[str, np.ndarray]) -> None:
        """Copy values (name -> array of the parameter's shape) into the live params."""
        for k, v in values.items():
            if k not in self.params:
                raise ValueError(f"params must have keys {', '.join(self.params)}; got {k!r}")
            if np.shape(v) != self.params[k].shape:
                raise ValueError(
                    f"params[{k!r}] must have shape {self.params[k].shape}; got {np.shape(v)}"
                )
            self.params[k][...] = v

    def copy(self, dtype=None) -> MLP:
        """A new network with the same config and a copy of the weights (cast to dtype)."""
        dtype = np.dtype(self.dtype if dtype is None else _check_dtype(dtype)).name
        net = MLP(
            self.sizes,
            self.activation,
            self.loss_name,
            self.init,
            dtype,
            seed=0,
            l1=self.l1,
            l2=self.l2,
            targets=self.targets,
            layers=self.specs,
        )
        net.set_params(self.params)
        net.set_running_stats(self.running_stats())
        return net

    # ---- input checks ------------------------------------------------------------------
    def check_inputs(self, X, y) -> tuple[np.ndarray, np.ndarray]:
        """X: (N, D) inputs, y: (N,) labels; returns them as the network trains on them
        (X in its dtype, y as ints). Raises ValueError naming the problem."""
        X = self._check_X(X)
        return X, self._check_y(y, X.shape[0])

    def _check_X(self, X) -> np.ndarray:
        X = np.asarray(X)
        if X.dtype != self.dtype:
            X = X.astype(self.dtype)
        if X.ndim != 2 or X.shape[1] != self.sizes[0]:
            raise ValueError(f"X must have shape (N, {self.sizes[0]}); got {X.shape}")
        return X

    def _check_y(self, y, n: int) -> np.ndarray:
        y = np.asarray(y)
        if self.targets == "values":
            shape = (n,) if self.sizes[-1] == 1 else (n, self.sizes[-1])
            if y.shape != shape or y.dtype.kind not in "iuf":
                raise ValueError(f"y must be real targets of shape {shape}; got {y.shape}")
            return y if y.dtype == self.dtype else y.astype(self.dtype)
        if y.shape != (n,):
            raise ValueError(f"y must have shape ({n},) to match X; got {y.shape}")
        if y.dtype.kind not in "iu":
            if y.dtype.kind not in "bf" or (y.dtype.kind == "f" and np.any(y != np.round(y))):
                raise ValueError(f"y must hold integer class labels; got dtype {y.dtype}")
            y = y.astype(np.intp)
        if n and (y.min() < 0 or y.max() >= self.n_classes):
            raise ValueError(
                f"y labels must be in 0..{self.n_classes - 1}; "
                f"got values from {y.min()} to {y.max()}"
            )
        return y


def _check_sizes(sizes) -> list[int]:
    message = (
        "sizes must be a list of at least two integers >= 1 "
        f"([inputs, hidden..., outputs]); got {sizes!r}"
    )
    try:
        ok = [int(s) for s in sizes if not isinstance(s, bool) and int(s) == s]
    except (TypeError, ValueError):
        raise ValueError(message) from None
    if len(ok) != len(sizes) or len(ok) < 2 or min(ok) < 1:
        raise ValueError(message)
    return ok


def _check_dtype(dtype):
    name = np.dtype(dtype).name if isinstance(dtype, (type, np.dtype)) else dtype
    if name not in DTYPES:
        raise ValueError(f"dtype must be one of {', '.join(DTYPES)}; got {dtype!r}")
    return DTYPES[name]


def _check_outputs(loss: str, n_out: int) -> None:
    if loss == "binary_cross_entropy" and n_out != 1:
        raise ValueError(f"sizes[-1] must be 1 for binary_cross_entropy; got {n_out}")
    if loss == "cross_entropy" and n_out < 2:
        raise ValueError(f"sizes[-1] must be >= 2 for cross_entropy; got {n_out}")


def _check_targets(targets: str, loss: str) -> str:
    if targets not in ("classes", "values"):
        raise ValueError(f"targets must be 'classes' or 'values'; got {targets!r}")
    if targets == "values" and loss != "mse":
        raise ValueError(f"real-valued targets need the mse loss; got {loss!r}")
    return targets


def _check_penalty(name: str, value) -> float:
    value = float(value)
    if not (value >= 0 and math.isfinite(value)):
        raise ValueError(f"{name} must be a finite number >= 0; got {value!r}")
    return value
