"""The lab network: an MLP one can operate on (freeze or kill units) or that hides a planted
backprop bug (bugs.py).

The fast engine (mlp.py) is left as it is: `operate(net)` switches a network to this subclass
in place (same parameters, buffers and optimizer binding), and `settle(net)` switches it back
once nothing is planted, frozen or killed. Only then does a step pay for the hooks below.

    kill unit u of hidden layer l     a_l[:, u] = 0, so dL/dz_l[:, u] = 0 as well
    freeze unit u of layer l          W_l[:, u] and b_l[u] keep their values (no gradient,
                                      no update, whatever the optimizer's momentum)
"""

from __future__ import annotations

import numpy as np

from .bugs import get_bug
from .mlp import MLP
from .regularization import add_penalty_grad


class LabMLP(MLP):
    """An MLP with surgery and an optional planted bug. Attributes (set by `operate`):

    bug: a name of bugs.BUGS or None; killed, frozen: sets of (layer, unit), layers 1-based
    (killed: hidden layers only); alive[i]: (h_i,) 1/0 mask of hidden layer i + 1, or None.
    """

    bug: str | None
    killed: set[tuple[int, int]]
    frozen: set[tuple[int, int]]
    alive: list[np.ndarray | None]

    def _lab_init(self) -> None:
        self.bug, self.killed, self.frozen = None, set(), set()
        self.alive = [None] * (len(self.sizes) - 2)

    # ---- the forward pass: killed units output 0 ----------------------------------------
    def _forward(self, X: np.ndarray, ws) -> np.ndarray:
        """X: (N, D); as MLP._forward, with a_l = f(z_l) * alive_l."""
        ws.x[0][...] = X
        layers, f = self.layers, self.act.fn
        for i in range(len(layers) - 1):
            z = layers[i].forward(ws.x1[i], ws.z[i])
            a = f(z, ws.a[i])
            if self.alive[i] is not None:
                a *= self.alive[i]
            ws.x[i + 1][...] = a
        return layers[-1].forward(ws.x1[-1], ws.z[-1])

    # ---- the backward pass, with the planted bug ----------------------------------------
    def _forward_backward(self, X: np.ndarray, y: np.ndarray, input_grad: bool) -> float:
        """As MLP._forward_backward; the loss is always the true one, the gradients carry
        the planted bug."""
        ws = self._workspaces.get(len(y)) or self._workspace(len(y))
        bug, n = self.bug, len(y)
        z = self._forward(X, ws)
        dz = ws.dL_dz[-1]
        data_loss = self.loss_fn.forward(z, y, dz)  # dL/dz_L = (y_hat - t) / N
        if bug == "no_batch_mean":
            dz *= n
        elif bug == "onehot_forgotten":
            dz += self._targets(y, z.shape) / n  # y_hat / N

        act = self.act
        if bug == "fprime_of_a":  # f'(f(z)): the derivative's formula fed the output
            fp = act.grad(ws.a_hidden, act.fn(ws.a_hidden))
        elif bug == "no_activation_grad":
            fp = np.ones_like(ws.f_prime_hidden)
        else:
            fp = act.grad(ws.z_hidden, ws.a_hidden)
        ws.f_prime_hidden[...] = fp
        for i, mask in enumerate(self.alive):
            if mask is not None:
                ws.f_prime[i] *= mask  # a killed unit passes no gradient

        layers = self.layers
        for i in range(len(layers) - 1, -1, -1):
            layer = layers[i]
            dx = ws.dL_da[i - 1] if i > 0 else (self._dX(ws, X) if input_grad else None)
            np.dot(ws.x1_T[i], dz, out=layer.dWb)  # [dW; db] = [x, 1]^T @ dz
            if bug == "bias_wrong_axis":
                layer.db[...] = dz.sum()  # every unit gets the sum over batch AND units
            if dx is not None:
                W = layer.W
                wrong = bug == "w_not_transposed" and W.shape[0] == W.shape[1]
                np.dot(dz, W if wrong else layer.W_T, out=dx)
            if i > 0:
                dz = np.multiply(ws.dL_da[i - 1], ws.f_prime[i - 1], out=ws.dL_dz[i - 1])

        pen, l1, l2 = 0.0, self.l1, self.l2
        if l1 or l2:
            np.copyto(self._data_grads, self.grads.flat)
            for layer in layers:
                add_penalty_grad(layer.W, layer.dW, l1, 0.0 if bug == "l2_grad_missing" else l2)
            pen = self._penalty()
        ws.X, ws.y, ws.data_loss, ws.penalty = X, y, data_loss, pen
        ws.l1, ws.l2, ws.input_grad = l1, l2, input_grad
        self._last = ws
        return data_loss + pen

    def _dX(self, ws, X: np.ndarray) -> np.ndarray:
        if ws.dX is None:
            ws.dX = np.empty_like(X, dtype=self.dtype)
        return ws.dX

    def _targets(self, y: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
        """The targets t the loss subtracts, (N, K): one-hot rows, or the values / labels
        themselves for a single output or real targets."""
        if self.targets == "values" or shape[1] == 1:
            return np.asarray(y, self.dtype).reshape(shape)
        return np.eye(shape[1], dtype=self.dtype)[y]

    # ---- the update: frozen units keep their parameters ---------------------------------
    def train_step(self, X, y, optimizer, check: bool = True) -> float:
        if check:
            X, y = self.check_inputs(X, y)
        loss = self._forward_backward(X, y, False)
        idx = self.frozen_index()
        if idx.size:
            kept = self.params.flat[idx]  # a copy (fancy indexing)
            self.grads.flat[idx] = 0.0  # no gradient: momentum and Adam's moments stay calm
        if self.bug == "update_sign":  # the optimizer is handed -dL/dw: it climbs
            np.negative(self.grads.flat, out=self.grads.flat)
            optimizer.step(self.params, self.grads)
            np.negative(self.grads.flat, out=self.grads.flat)  # the trace shows the true dW
        else:
            optimizer.step(self.params, self.grads)
        if idx.size:
            self.params.flat[idx] = kept  # and no update either, whatever the state held
        return loss

    def frozen_index(self) -> np.ndarray:
        """Positions in params.flat of every frozen unit's W column and bias, (K,) ints."""
        idx = []
        for layer, unit in sorted(self.frozen):
            block = self.params.blocks[layer - 1]  # [W; b], (in+1, out)
            start = self.params.offsets[f"W{layer}"]
            idx.append(start + unit + block.shape[1] * np.arange(block.shape[0]))
        return np.concatenate(idx) if idx else np.empty(0, np.intp)

    def copy(self, dtype=None) -> LabMLP:
        """A copy that keeps the surgery and the bug (a gradient check must see both)."""
        net = MLP.copy(self, dtype)
        operate(net)
        net.bug, net.killed, net.frozen = self.bug, set(self.killed), set(self.frozen)
        net.alive = [None if m is None else m.astype(net.dtype) for m in self.alive]
        return net


def operate(net: MLP) -> LabMLP:
    """Switch `net` to the lab network in place (nothing planted or operated yet)."""
    if not isinstance(net, LabMLP):
        net.__class__ = LabMLP
        net._lab_init()
    return net


def settle(net: MLP) -> MLP:
    """Switch a lab network back to the fast engine when nothing is planted or operated."""
    if isinstance(net, LabMLP) and net.bug is None and not net.killed and not net.frozen:
        net.__class__ = MLP
        for name in ("bug", "killed", "frozen", "alive"):
            del net.__dict__[name]
    return net


def plant(net: MLP, bug: str | None) -> MLP:
    """Plant bug `bug` (a name of bugs.BUGS) in net, or remove it (None); returns net."""
    if bug is not None:
        get_bug(bug)  # a ValueError naming the choices
    operate(net).bug = bug
    return settle(net)


def set_unit(net: MLP, what: str, layer: int, unit: int, on: bool) -> MLP:
    """Freeze or kill (what: "frozen" | "killed") unit `unit` (0-based) of layer `layer`
    (1-based; kill: hidden layers only), or undo it (on=False). Raises ValueError naming the
    field out of range."""
    last = len(net.sizes) - 1 if what == "frozen" else len(net.sizes) - 2
    if last < 1:
        raise ValueError("layer: this network has no hidden layer")
    if not 1 <= layer <= last:
        raise ValueError(f"layer must be between 1 and {last}; got {layer}")
    width = net.sizes[layer]
    if not 0 <= unit < width:
        raise ValueError(f"unit must be between 0 and {width - 1} in layer {layer}; got {unit}")
    lab = operate(net)
    units: set = getattr(lab, what)
    (units.add if on else units.discard)((layer, unit))
    if what == "killed":
        mask = np.ones(width, lab.dtype)
        mask[[u for (l, u) in lab.killed if l == layer]] = 0.0
        lab.alive[layer - 1] = None if mask.all() else mask
    return settle(lab)


def surgery(net: MLP) -> dict[str, list[list[int]]]:
    """The units operated on: {"frozen": [[layer, unit], ...], "killed": [...]} (sorted)."""
    if not isinstance(net, LabMLP):
        return {"frozen": [], "killed": []}
    return {
        "frozen": [list(p) for p in sorted(net.frozen)],
        "killed": [list(p) for p in sorted(net.killed)],
    }
