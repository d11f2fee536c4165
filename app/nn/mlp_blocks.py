"""The part of MLP that runs hidden layers with their own settings (blocks.py).

A network whose hidden layers all are plain takes mlp.py's fused fast path and never comes
here; one with a norm, dropout, a residual or per-layer activations runs its hidden layers
as HiddenBlocks on the buffers of a block_workspace.BlockWorkspace (one per batch size, as
the fast path's Workspace), and its output layer and loss as the fast path does. The mixin
keeps mlp.py to one screenful of the plain algorithm.
"""

from __future__ import annotations

import numpy as np

from .block_workspace import BlockWorkspace
from .blocks import block_trace
from .regularization import add_penalty_grad
from .trace import LayerTrace, Trace


class BlocksMixin:
    """MLP's methods for per-layer settings; `self.blocks` is the list of HiddenBlocks."""

    def train_loss(self, X, y, masks=None) -> float:
        """The loss as a training step sees it (batch statistics, dropout), X: (N, D), y: (N,);
        masks: one dropout mask (N, h) or None per hidden layer, e.g. a traced step's, so
        finite differences see the very function backprop differentiated. Running statistics,
        the generator and the last step's trace are untouched; for a plain net this is `loss`."""
        if self.blocks is None:
            return self.loss(X, y)
        X, y = self.check_inputs(X, y)
        masks = masks if masks is not None else [None] * len(self.blocks)
        if any(m is None and b.spec.dropout for m, b in zip(masks, self.blocks, strict=True)):
            raise ValueError("masks: give the dropout mask of every layer with dropout")
        last = [b.last for b in self.blocks]
        ws = BlockWorkspace(self.blocks, len(y), self.dtype, self.sizes[-1])  # its own buffers
        z = self._blocks_forward(ws, X, masks, update_stats=False)
        for b, kept in zip(self.blocks, last, strict=True):
            b.last = kept
        return self.loss_fn.loss(z, y) + self._penalty()

    def _blocks_forward(self, ws, X, masks, update_stats: bool) -> np.ndarray:
        """X: (N, D) through the hidden blocks and the output layer -> z_L (N, C). masks:
        None (draw every dropout mask of the step) or one per block (None without dropout)."""
        if masks is None:
            ws.draw_masks(self.rng)
        else:
            for buffer, mask in zip(ws.masks, masks, strict=True):
                if buffer is not None:
                    buffer[...] = mask
        x1 = ws.x1
        x1[0][:, :-1] = X
        x = X
        for i, block in enumerate(self.blocks):
            x = block.forward(ws.parts[i], x, x1[i], x1[i + 1], ws.masks[i], update_stats)
        return np.dot(x1[-1], self.layers[-1].Wb, out=ws.out_z)  # [h, 1] @ [W; b]

    def _blocks_step(self, X, y, input_grad: bool, masks, update_stats: bool) -> float:
        """_forward_backward for a net with per-layer settings (blocks.py)."""
        ws = self._block_workspaces.get(len(y)) or self._block_workspace(len(y))
        z = self._blocks_forward(ws, X, masks, update_stats)
        dz, out, blocks = ws.out_dz, self.layers[-1], self.blocks
        data_loss = self.loss_fn.forward(z, y, dz)
        np.dot(ws.x1_T[-1], dz, out=out.dWb)  # [dW; db] = [h, 1]^T dz
        dh = np.dot(dz, out.W_T, out=ws.out_dh)
        for i in range(len(blocks) - 1, -1, -1):
            dh = blocks[i].backward(dh, ws.x1_T[i], need_dx=i > 0 or input_grad)
        pen, l1, l2 = 0.0, self.l1, self.l2
        if l1 or l2:
            np.copyto(self._data_grads, self.grads.flat)
            for layer in self.layers:
                add_penalty_grad(layer.W, layer.dW, l1, l2)
            pen = self._penalty()
        self._last_blocks = (X, y, ws, dh if input_grad else None, data_loss, pen, l1, l2)
        self._last = None
        return data_loss + pen

    def _block_workspace(self, n: int) -> BlockWorkspace:
        if len(self._block_workspaces) >= 8:  # e.g. the batch and the last partial batch
            self._block_workspaces.pop(next(iter(self._block_workspaces)))
        ws = BlockWorkspace(self.blocks, n, self.dtype, self.sizes[-1])
        self._block_workspaces[n] = ws
        return ws

    def _blocks_trace(self) -> Trace:
        X, y, ws, dX, data_loss, pen, l1, l2 = self._last_blocks
        penalised = bool(l1 or l2)
        data_grads = self.grads.view
        layers = [
            block_trace(
                b, self.grads, data_grads(self._data_grads, f"W{b.index}") if penalised else None
            )
            for b in self.blocks
        ]
        for k, lt in enumerate(layers):
            lt.dL_da_in = dX if k == 0 else self.blocks[k - 1].last[5]
        last = len(self.layers)
        W = f"W{last}"
        layers.append(
            LayerTrace(
                index=last,
                activation=self.loss_fn.output_activation,
                a_in=ws.x1[-1][:, :-1],
                z=ws.out_z,
                a=self.loss_fn.probs(ws.out_z),
                dL_da=None,
                f_prime=None,
                dL_dz=ws.out_dz,
                dW=self.grads[W],
                dW_data=data_grads(self._data_grads, W) if penalised else self.grads[W],
                db=self.grads[f"b{last}"],
                dL_da_in=self.blocks[-1].last[5],
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
