"""The buffers of one training pass through hidden layers with their own settings (blocks.py).

Like buffers.Workspace for the plain path: allocated once per batch size N, written in place.
On a 2-8-8-1 net at batch 10 a step costs per NumPy call, and on arrays this small the calls
are not alike (callgrind, instructions): a ufunc on two (N, H) arrays ~4,200, the same ufunc
broadcasting an (H,) row over (N, H) or with a strided operand ~10,000, a reduction along an
axis more, np.dot ~6,000 (called past its dispatch, blocks.dot). So batch norm here is written
in products with constant or diagonal matrices, each matrix its own contiguous array:

    xc = C @ z                   C = I - 1/N (N, N): z minus its column means
    [mu; var; var + eps; running'; -N (var + eps)] = M @ [z; xc^2; 1; running]   the batch
                                 statistics and the next running ones, 0.9 running + 0.1 [mu; var]
    y = xc @ diag(gamma / std) + beta            beta tiled to (N, H) by one copy
    [dgamma std; dbeta] = S @ [dy * xc; dy]      S: two rows of ones, (2, 2N)
    dz = (C @ dy + xc @ diag(-dgamma / (N std))) @ diag(gamma / std)   the forward's diagonal

each the formula of reference.batchnorm_forward / _backward with xc in place of x_hat =
xc / std, which the products never form (x_hat diag(dgamma) = xc diag(dgamma / std));
tests/nn/test_blocks.py holds them equal. A product is used while it costs less than the
ufunc it replaces, and the two kinds part ways as the batch grows: a broadcasting ufunc on
(N, H) runs its inner loop N times over H numbers, so for narrow layers (TensorFlow
Playground's 8 units) the diagonal products (N H^2 multiply-adds) beat it at every batch
size, while C (N^2 H) costs more than the broadcast past ~16,384. So past CENTER_MAX the
centring is z - 1 mu instead, the mean tiled by an outer product (N, 1) @ (1, H) and
subtracted (3 cheap calls); past DIAG_MAX (a wide layer) the same formulas run as
broadcasting ufuncs, whose inner loops are then long.
Dropout draws the masks of every layer of a step at once (one generator call, in layer
order: the same numbers as one draw per layer), and each layer's input carries a column of
ones, so z = [x, 1] @ [W; b] and [dW; db] = [x, 1]^T @ dz as in layers.py.
"""

from __future__ import annotations

import numpy as np

from .activations import const
from .blocks import EPS, MOMENTUM
from .layers import dot

# Multiply-adds past which a product costs more than what replaces it (measured on (N, H)
# float32, us a call: at N = 100, H = 8 C @ z 2.4 against 1.4 for mean, tile and subtract,
# and xc @ diag 0.55 against 1.4 for a broadcast; at N = 64, H = 128 xc @ diag 51 against 2.6)
CENTER_MAX = 16384  # C @ z: N^2 H
DIAG_MAX = 32768  # xc @ diag(gamma / std): N H^2


class BlockWorkspace:
    """Buffers for `blocks` (HiddenBlocks) at batch size n. x1[i] (n, D_i + 1): the input of
    block i with a column of ones (x1[-1]: the output layer's); out_z, out_dz (n, C): the
    output layer's z and dL/dz; parts[i]: block i's own buffers (BlockParts); masks[i]:
    block i's dropout mask (n, H_i), or None, all views into one vector drawn per step."""

    def __init__(self, blocks, n: int, dtype, n_out: int):
        widths = [b.W.shape[0] for b in blocks] + [blocks[-1].spec.units]
        self.x1 = [np.ones((n, d + 1), dtype) for d in widths]
        self.x1_T = [x1.T for x1 in self.x1]
        self.out_z = np.empty((n, n_out), dtype)
        self.out_dz = np.empty((n, n_out), dtype)
        self.out_dh = np.empty((n, widths[-1]), dtype)
        self.dX = np.empty((n, widths[0]), dtype)
        self.parts = [BlockParts(b, n, dtype) for b in blocks]
        dropped = [b for b in blocks if b.spec.dropout]
        total = n * sum(b.spec.units for b in dropped)
        self.uniform = np.empty(total)  # float64, as reference.dropout_forward draws
        self.threshold = np.empty(total)  # each layer's p
        self.scale = np.empty(total, dtype)  # each layer's 1 / (1 - p)
        self.kept = np.empty(total, bool)
        self.mask_flat = np.empty(total, dtype)
        # tanh'(y) mask = mask - f h (h = f mask) of every dropout layer in two calls a step,
        # when all of them are tanh without a residual: their f, h and this laid out as masks
        self.fold = bool(total) and all(b.tanh_mask for b in dropped)
        self.f_flat, self.h_flat, self.fold_flat = (np.empty(total, dtype) for _ in "fhd")
        self.masks, at = [], 0
        for b, P in zip(blocks, self.parts, strict=True):
            if not b.spec.dropout:
                self.masks.append(None)
                continue
            size, shape = n * b.spec.units, (n, b.spec.units)
            self.threshold[at : at + size] = b.spec.dropout
            self.scale[at : at + size] = dtype(1.0) / dtype(1.0 - b.spec.dropout)
            self.masks.append(self.mask_flat[at : at + size].reshape(shape))
            if self.fold:
                flats = (self.f_flat, self.h_flat, self.fold_flat)
                P.f, P.h, P.df = (a[at : at + size].reshape(shape) for a in flats)
                P.folded = True
            at += size

    def fold_masks(self) -> None:
        """mask - f h of every dropout layer, once the forward pass made f and h."""
        if self.fold:
            np.multiply(self.f_flat, self.h_flat, out=self.fold_flat)
            np.subtract(self.mask_flat, self.fold_flat, out=self.fold_flat)

    def draw_masks(self, rng) -> None:
        """Every dropout mask of the step: kept where u >= p, scaled by 1 / (1 - p)."""
        if self.uniform.size:
            rng.random(out=self.uniform)
            np.greater_equal(self.uniform, self.threshold, out=self.kept)
            np.multiply(self.kept, self.scale, out=self.mask_flat)


class BlockParts:
    """One block's buffers at batch size n: z, y, f = act(y), f'(y), h, dL/dy, dL/dz, dL/dx
    (n, H) or (n, D), and for batch norm the matrices of the module docstring."""

    def __init__(self, block, n: int, dtype):
        H, D = block.spec.units, block.W.shape[0]
        new = lambda *shape: np.empty(shape, dtype)  # noqa: E731
        self.f, self.f_prime, self.h, self.df = new(n, H), new(n, H), new(n, H), new(n, H)
        self.dz, self.dx, self.dx_skip = new(n, H), new(n, D), new(n, D)
        self.z, self.y, self.dy = new(n, H), new(n, H), new(n, H)
        self.folded = False  # df holds tanh'(y) mask, made by BlockWorkspace.fold_masks
        if block.spec.norm != "batch":
            return
        # [z; xc^2; 1; running_mean; running_var] (2n+3, H) and M's rows: mu, var, var + eps
        # and the next running statistics, MOMENTUM running + (1 - MOMENTUM) batch
        self.v = np.ones((2 * n + 3, H), dtype)
        self.z, self.sq, self.running_in = self.v[:n], self.v[n : 2 * n], self.v[2 * n + 1 :]
        m = self.means = np.zeros((6, 2 * n + 3), dtype)
        m[0, :n] = m[1, n : 2 * n] = m[2, n : 2 * n] = 1.0 / n
        m[2, 2 * n] = EPS
        m[3, :n] = m[4, n : 2 * n] = (1.0 - MOMENTUM) / n
        m[3, 2 * n + 1] = m[4, 2 * n + 2] = MOMENTUM
        m[5, n : 2 * n], m[5, 2 * n] = -1.0, -n * EPS  # -N (var + eps), for backward
        self.stats = new(6, H)
        self.mu, self.var, self.var_eps = self.stats[0:1], self.stats[1:2], self.stats[2:3]
        self.running_out, self.minus_n_var_eps = self.stats[3:5], self.stats[5]
        self.std = new(1, H)
        self.std_row = self.std[0]
        self.one, self.inv_n = const(1.0, dtype), const(1.0 / n, dtype)
        self.minus_inv_n = const(-1.0 / n, dtype)
        self.mean_row = np.full((1, n), 1.0 / n, dtype)
        self.products = n * H * H <= DIAG_MAX  # the diagonal products (else broadcasts)
        small = self.products and n * n * H <= CENTER_MAX
        self.center = np.eye(n, dtype=dtype) - dtype(1.0 / n) if small else None  # C
        self.ones_col, self.mean, self.tiled = np.ones((n, 1), dtype), new(1, H), new(n, H)
        self.xc = new(n, H)
        # [dy * xc; dy] (2n, H) (dy * x_hat past DIAG_MAX), and S: two rows of ones that
        # sum its halves
        self.dyx_dy = new(2 * n, H)
        self.dy_x_hat, self.dy = self.dyx_dy[:n], self.dyx_dy[n:]
        self.sums = np.zeros((2, 2 * n), dtype)
        self.sums[0, :n] = self.sums[1, n:] = 1.0
        self.r, self.t = new(n, H), new(n, H)
        # diagonal matrices (H, H), each its own contiguous array (a strided one costs more
        # per call than it saves), and their diagonals as writable views
        self.k, self.scale = np.zeros((H, H), dtype), np.zeros((H, H), dtype)
        self.k_diag, self.scale_diag = _diagonal(self.k), _diagonal(self.scale)
        self.beta_rows = new(n, H)
        # x_hat = xc / std: past DIAG_MAX a buffer; the products never form it (the
        # trace does)
        self.x_hat = None if self.products else new(n, H)

    def subtract_mean(self, a: np.ndarray, out: np.ndarray) -> np.ndarray:
        """a (n, H) minus its column means into out, past CENTER_MAX (else C @ a): the mean
        tiled by an outer product and subtracted (a broadcast would loop n times over H)."""
        dot(self.mean_row, a, out=self.mean)
        return np.subtract(a, dot(self.ones_col, self.mean, out=self.tiled), out=out)


def _diagonal(a: np.ndarray) -> np.ndarray:
    """The diagonal of a square C-contiguous matrix as a writable view."""
    return a.reshape(-1)[:: a.shape[0] + 1]
