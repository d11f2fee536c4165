"""The buffers of one training pass through hidden layers with their own settings (blocks.py).

Like buffers.Workspace for the plain path: allocated once per batch size N, written in place.
On a 2-8-8-1 net at batch 10 a step costs per NumPy call, and on arrays this small the calls
are not alike: a ufunc on two (N, H) arrays costs ~0.25 us, the same ufunc broadcasting an
(H,) row over (N, H) ~1-1.5 us, a reduction along an axis ~1.5 us, and np.dot ~0.5 us. So
batch norm here is written in products with constant or diagonal matrices:

    xc = C @ z                   C = I - 1/N (N, N): z minus its column means
    [mu; var; var + eps; running'] = M @ [z; xc^2; 1; running]   the batch statistics and
                                 the next running ones, 0.9 running + 0.1 [mu; var]
    x_hat = xc @ diag(1 / std)
    y = x_hat @ diag(gamma) + beta               beta tiled to (N, H) by one copy
    [dgamma; dbeta] = S @ [dy * x_hat; dy]       S: two rows of ones, (2, 2N)
    dz = (C @ dy - x_hat @ diag(dgamma) / N) @ diag(gamma / std)

each the formula of reference.batchnorm_forward / _backward; tests/nn/test_blocks.py holds
them equal. Past PRODUCTS_MAX (a larger batch or layer) the products would cost more than
they save, and the same formulas run as broadcasting ufuncs. Dropout draws the masks of
every layer of a step at once (one generator call, in layer order: the same numbers as one
draw per layer), and each layer's input carries a column of ones, so z = [x, 1] @ [W; b]
and [dW; db] = [x, 1]^T @ dz as in layers.py.
"""

from __future__ import annotations

import numpy as np

from .activations import const
from .blocks import EPS, MOMENTUM

# Products with C (N, N) and diagonals (H, H) cost N H max(N, H) multiply-adds: past this
# many, broadcasting ufuncs are cheaper (measured: at N = 64, H = 8 the two are even).
PRODUCTS_MAX = 16384


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
        self.masks, at = [], 0
        for b in blocks:
            if not b.spec.dropout:
                self.masks.append(None)
                continue
            size = n * b.spec.units
            self.threshold[at : at + size] = b.spec.dropout
            self.scale[at : at + size] = dtype(1.0) / dtype(1.0 - b.spec.dropout)
            self.masks.append(self.mask_flat[at : at + size].reshape(n, b.spec.units))
            at += size

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
        if block.spec.norm != "batch":
            return
        # [z; xc^2; 1; running_mean; running_var] (2n+3, H) and M's rows: mu, var, var + eps
        # and the next running statistics, MOMENTUM running + (1 - MOMENTUM) batch
        self.v = np.ones((2 * n + 3, H), dtype)
        self.z, self.sq, self.running_in = self.v[:n], self.v[n : 2 * n], self.v[2 * n + 1 :]
        m = self.means = np.zeros((5, 2 * n + 3), dtype)
        m[0, :n] = m[1, n : 2 * n] = m[2, n : 2 * n] = 1.0 / n
        m[2, 2 * n] = EPS
        m[3, :n] = m[4, n : 2 * n] = (1.0 - MOMENTUM) / n
        m[3, 2 * n + 1] = m[4, 2 * n + 2] = MOMENTUM
        self.stats = new(5, H)
        self.mu, self.var, self.var_eps = self.stats[0:1], self.stats[1:2], self.stats[2:3]
        self.running_out = self.stats[3:]
        self.std = new(1, H)
        self.std_row = self.std[0]
        self.one, self.inv_n = const(1.0, dtype), const(1.0 / n, dtype)
        self.minus_inv_n = const(-1.0 / n, dtype)
        self.mean_row = np.full((1, n), 1.0 / n, dtype)
        self.products = n * H * max(n, H) <= PRODUCTS_MAX
        self.center = np.eye(n, dtype=dtype) - dtype(1.0 / n) if self.products else None  # C
        self.xc, self.x_hat, self.beta_rows = new(n, H), new(n, H), new(n, H)
        # [dy * x_hat; dy] (2n, H), and S: two rows of ones that sum its halves
        self.dyx_dy = new(2 * n, H)
        self.dy_x_hat, self.dy = self.dyx_dy[:n], self.dyx_dy[n:]
        self.sums = np.zeros((2, 2 * n), dtype)
        self.sums[0, :n] = self.sums[1, n:] = 1.0
        self.r, self.t = new(n, H), new(n, H)
        # diagonal matrices (H, H) and their diagonals as writable views
        self.inv_std, self.gamma, self.k, self.scale = (np.zeros((H, H), dtype) for _ in "1234")
        self.inv_std_diag, self.gamma_diag = _diagonal(self.inv_std), _diagonal(self.gamma)
        self.k_diag, self.scale_diag = _diagonal(self.k), _diagonal(self.scale)


def _diagonal(a: np.ndarray) -> np.ndarray:
    """The diagonal of a square C-contiguous matrix as a writable view."""
    return a.reshape(-1)[:: a.shape[0] + 1]
