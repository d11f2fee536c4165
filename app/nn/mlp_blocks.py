"""The part of MLP that runs hidden layers with their own settings (blocks.py).

A network whose hidden layers all are plain takes mlp.py's fused fast path and never comes
here; one with a norm, dropout, a residual or per-layer activations runs its hidden layers
as HiddenBlocks (allocating as it goes: clear over fast) and its output layer and loss as
the fast path does. The mixin keeps mlp.py to one screenful of the plain algorithm.
"""

from __future__ import annotations

import numpy as np

from .blocks import backward_blocks, block_trace, forward_blocks
from .regularization import add_penalty_grad
from .trace import LayerTrace, Trace


class BlocksMixin:
    """MLP's methods for per-layer settings; `self.blocks` is the list of HiddenBlocks."""

    def train_loss(self, X, y, masks=None) -> float:
        """The loss as a training step sees it (batch statistics, dropout), X: (N, D), y: (N,);
        masks: one dropout mask (N, h) or None per hidden layer, e.g. a traced step's, so
        finite differences see the very function backprop differentiated. Running statistics
        and the generator are untouched; for a plain net this is `loss`."""
        if self.blocks is None:
            return self.loss(X, y)
        X, y = self.check_inputs(X, y)
        masks = masks if masks is not None else [None] * len(self.blocks)
        if any(m is None and b.spec.dropout for m, b in zip(masks, self.blocks, strict=True)):
            raise ValueError("masks: give the dropout mask of every layer with dropout")
        hidden = forward_blocks(self.blocks, X, True, None, masks, update_stats=False)
        z = self.layers[-1].forward(_with_ones(hidden[-1] if hidden else X), None)
        return self.loss_fn.loss(z, y) + self._penalty()

    def _blocks_step(self, X, y, input_grad: bool, masks, update_stats: bool) -> float:
        """_forward_backward for a net with per-layer settings (blocks.py)."""
        hidden = forward_blocks(self.blocks, X, True, self.rng, masks, update_stats)
        out, h = self.layers[-1], hidden[-1]
        z = np.dot(h, out.W)  # the output layer, without copying h beside a column of ones
        z += out.b
        dz = np.empty_like(z)
        data_loss = self.loss_fn.forward(z, y, dz)
        np.dot(h.T, dz, out=out.dW)
        np.add.reduce(dz, axis=0, out=out.db)
        dh = np.dot(dz, out.W_T)
        dX = backward_blocks(self.blocks, dh, input_grad)
        pen, l1, l2 = 0.0, self.l1, self.l2
        if l1 or l2:
            np.copyto(self._data_grads, self.grads.flat)
            for layer in self.layers:
                add_penalty_grad(layer.W, layer.dW, l1, l2)
            pen = self._penalty()
        self._last_blocks = (
            X,
            y,
            hidden,
            z,
            dz,
            dX if input_grad else None,
            data_loss,
            pen,
            l1,
            l2,
        )
        self._last = None
        return data_loss + pen

    def _blocks_trace(self) -> Trace:
        X, y, hidden, z, dz, dX, data_loss, pen, l1, l2 = self._last_blocks
        penalised = bool(l1 or l2)
        data_grads = self.grads.view
        layers = [
            block_trace(
                b, self.grads, data_grads(self._data_grads, f"W{b.index}") if penalised else None
            )
            for b in self.blocks
        ]
        for k, lt in enumerate(layers):
            lt.dL_da_in = dX if k == 0 else self.blocks[k - 1].cache["dh"]
        last = len(self.layers)
        W = f"W{last}"
        layers.append(
            LayerTrace(
                index=last,
                activation=self.loss_fn.output_activation,
                a_in=hidden[-1] if hidden else X,
                z=z,
                a=self.loss_fn.probs(z),
                dL_da=None,
                f_prime=None,
                dL_dz=dz,
                dW=self.grads[W],
                dW_data=data_grads(self._data_grads, W) if penalised else self.grads[W],
                db=self.grads[f"b{last}"],
                dL_da_in=self.blocks[-1].cache["dh"] if self.blocks else dX,
            )
        )
        return Trace(
            layers, data_loss + pen, data_loss, pen, layers[-1].a, y, l1, l2, self.loss_name
        )

    def running_stats(self) -> dict[str, np.ndarray]:
        """Batch norm's running statistics: "norm1.running_mean", ... -> (units,) arrays
        (the live ones: copy to keep); empty without batch norm."""
        out = {}
        for b in self.blocks or []:
            if b.spec.norm == "batch":
                out[f"norm{b.index}.running_mean"] = b.running_mean
                out[f"norm{b.index}.running_var"] = b.running_var
        return out

    def set_running_stats(self, values: dict[str, np.ndarray]) -> None:
        """Copy values (as running_stats() names them) into the live statistics."""
        stats = self.running_stats()
        for k, v in values.items():
            if k not in stats or np.shape(v) != stats[k].shape:
                raise ValueError(
                    f"running statistics must be {', '.join(stats) or 'none'}; got {k!r}"
                )
            stats[k][...] = v


def _with_ones(x: np.ndarray) -> np.ndarray:
    """x: (N, D) -> [x, 1]: (N, D+1), for Linear's bias trick."""
    x1 = np.ones((x.shape[0], x.shape[1] + 1), x.dtype)
    x1[:, :-1] = x
    return x1
