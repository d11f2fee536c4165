"""Output activations fused with their losses.

The last layer's activation and the loss are computed together because the pair has a
short, numerically stable gradient with respect to the output pre-activations z:

    softmax + cross-entropy  L = mean_i -log softmax(z_i)[y_i]       dL/dz = (y_hat - onehot(y)) / N
    sigmoid + binary CE      L = mean_i -log p(y_i), p = sigmoid(z)  dL/dz = (p - y) / N
    linear  + MSE            L = mean_i 1/2 ||z_i - t_i||^2          dL/dz = (z - t) / N

Taking the two derivatives separately would divide by probabilities that can be 0.

Shapes: z: (N, K) output pre-activations (K output units), y: (N,) integer class labels.
Every loss is a mean over the batch, so every gradient is already divided by N.

`forward(z, y, dz)` gives the loss and writes dL/dz, the two things a training step needs;
`probs(z)` gives the output the network shows, y_hat (the trace asks for it, training does
not); `loss` and `grad` are `forward` one quantity at a time.
"""

from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace

import numpy as np

from .activations import Sigmoid, const

# Lowest exponent worth evaluating: e^s below it is ~0 in the dtype anyway. Clipping there
# keeps exp (and later products) clear of the subnormal range, so even
# np.errstate(all="raise") stays quiet for logits of +-1000.
EXP_FLOOR = {np.dtype(np.float32): -60.0, np.dtype(np.float64): -600.0}


class Loss:
    """Base class. Subclasses implement `forward` and `probs`; the rest is built on them.

    output_activation: name of the activation fused into the loss (for display).
    """

    name = ""
    output_activation = ""

    def n_outputs(self, n_classes: int) -> int:
        """Output units the network needs for n_classes classes."""
        return n_classes

    def n_classes(self, n_outputs: int) -> int:
        """Number of classes a network with n_outputs output units predicts."""
        return n_outputs

    def forward(self, z, y, dz) -> float:
        """Loss and gradient in one pass.

        z: (N, K) output pre-activations; y: (N,) int labels; dz: (N, K) buffer that
        receives dL/dz (divided by N). Returns the mean data loss as a Python float.
        """
        raise NotImplementedError

    def probs(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """z: (N, K); returns y_hat (N, K), the output the network shows."""
        raise NotImplementedError

    def predict(self, z: np.ndarray) -> np.ndarray:
        """z: (N, K); returns (N,) int class labels."""
        return np.argmax(z, axis=1)

    def loss(self, z: np.ndarray, y: np.ndarray) -> float:
        """z: (N, K), y: (N,); returns the mean loss."""
        return self.forward(z, y, np.empty_like(z))

    def grad(self, z: np.ndarray, y: np.ndarray) -> np.ndarray:
        """z: (N, K), y: (N,); returns dL/dz, (N, K), already divided by N."""
        dz = np.empty_like(z)
        self.forward(z, y, dz)
        return dz

    def __repr__(self) -> str:
        return f"<loss {self.name}>"


class CrossEntropy(Loss):
    """Softmax over K >= 2 outputs + cross-entropy: L = mean_i -log softmax(z_i)[y_i]."""

    name = "cross_entropy"
    output_activation = "softmax"

    def forward(self, z, y, dz):
        n, k = z.shape
        c = _constants(n, z.dtype)
        onehot = _identity(k, z.dtype).take(y, 0)  # (N, K): row y of the identity
        # Subtracting the row maximum leaves softmax unchanged and keeps every e^s <= 1.
        s = np.subtract(z, np.maximum.reduce(z, axis=1, keepdims=True), out=dz)
        s_y = np.vdot(onehot, s)  # the true classes' shifted logits, summed over the batch
        e = _exp_clipped(s)  # in place: dz now holds e^s
        total = np.add.reduce(e, axis=1, keepdims=True)  # >= 1: the max term is e^0 = 1
        # -log softmax(z)_y = log(sum_k e^s_k) - s_y: no log of a probability that is 0
        loss = (np.vdot(c.ones, np.log(total)) - s_y) / n
        e /= total  # softmax(z)
        e -= onehot
        e *= c.inv_n  # dL/dz = (softmax(z) - onehot(y)) / N
        return float(loss)

    def probs(self, z, out=None):
        s = np.subtract(z, np.maximum.reduce(z, axis=1, keepdims=True), out=out)
        e = _exp_clipped(s)
        e /= np.add.reduce(e, axis=1, keepdims=True)
        return e


class BinaryCrossEntropy(Loss):
    """One sigmoid output p = P(class 1) + binary cross-entropy, from the logit z:

        L = mean_i -[y log p + (1 - y) log(1 - p)] = mean_i softplus(r z)
        dL/dz = (p - y) / N = (u + r) / (2N),   u = tanh(z / 2)

    with r = 1 - 2y: +1 for class 0, -1 for class 1. Why: -log(1 - p) = softplus(z) and
    -log p = softplus(-z), softplus(s) = log(1 + e^s); and p = sigmoid(z) = (1 + u) / 2.

    softplus(s) = max(s, 0) + log(1 + e^-|s|) never overflows, and the last term is
    log 2 - log(1 + tanh(|s| / 2)) = log 2 - log1p(|u|): the u of the gradient, and no e^-|s|
    to underflow for |s| in the thousands. A step takes 11 NumPy calls here, not 17.
    """

    name = "binary_cross_entropy"
    output_activation = "sigmoid"

    def n_outputs(self, n_classes):
        return 1

    def n_classes(self, n_outputs):
        return 2

    def forward(self, z, y, dz):
        n = len(y)
        c = _constants(n, z.dtype)
        r = c.signs.take(y, 0)  # (N, 1): row y of [[+1], [-1]]
        u = np.tanh(np.multiply(z, c.half, out=dz), out=dz)
        tail = np.log1p(np.abs(u))  # log 2 - log(1 + e^-|z|)
        softplus = np.maximum(np.multiply(r, z), c.zero)
        softplus -= tail  # softplus(r z) - log 2
        loss = float(np.vdot(c.ones, softplus)) / n + _LOG2  # a dot: ~0.4 us less than a sum
        u += r
        u *= c.half_inv_n  # dL/dz = (u + r) / (2N)
        return loss

    def probs(self, z, out=None):
        return _sigmoid(z, out)

    def predict(self, z):
        return (z[:, 0] > 0).astype(np.intp)  # p > 0.5 exactly when z > 0


class MeanSquaredError(Loss):
    """Linear outputs + squared error against one-hot targets:

    L = mean_i 1/2 sum_k (z_ik - t_ik)^2, t = onehot(y) (K >= 2 outputs), or t = y itself
    with a single output (binary labels 0/1; class 1 when z > 0.5). The 1/2 makes
    dL/dz = (z - t) / N.

    Probabilities: the raw outputs clipped to [0, 1] and normalised to sum to 1 per row
    (uniform when all are <= 0); with a single output, clip(z, 0, 1) = P(class 1).
    """

    name = "mse"
    output_activation = "linear"

    def n_classes(self, n_outputs):
        return 2 if n_outputs == 1 else n_outputs

    def forward(self, z, y, dz):
        n, k = z.shape
        if k == 1:
            np.subtract(z, y.reshape(n, 1), out=dz)  # z - t, t = y
        else:
            np.subtract(z, _identity(k, z.dtype).take(y, 0), out=dz)  # z - onehot(y)
        flat = dz.reshape(-1)
        loss = 0.5 * float(np.dot(flat, flat)) / n
        dz *= 1.0 / n
        return loss

    def probs(self, z, out=None):
        out = np.clip(z, 0.0, 1.0, out=out)
        if out.shape[1] > 1:
            total = out.sum(axis=1, keepdims=True)
            zero = total[:, 0] == 0
            if zero.any():
                out[zero] = 1.0
                total[zero] = out.shape[1]
            out /= total
        return out

    def predict(self, z):
        if z.shape[1] == 1:
            return (z[:, 0] > 0.5).astype(np.intp)
        return np.argmax(z, axis=1)


class Regression(MeanSquaredError):
    """The same linear output + squared error, against real-valued targets y: (N,) floats
    (one output) or (N, K). Nothing is clipped: y_hat = z is the prediction itself, and
    L = mean_i 1/2 sum_k (z_ik - y_ik)^2, so dL/dz = (z - y) / N as above.
    """

    def n_classes(self, n_outputs):
        return 0

    def forward(self, z, y, dz):
        n = z.shape[0]
        np.subtract(z, y.reshape(z.shape), out=dz)  # z - y
        flat = dz.reshape(-1)
        loss = 0.5 * float(np.dot(flat, flat)) / n
        dz *= 1.0 / n
        return loss

    def probs(self, z, out=None):
        if out is None:
            return z.copy()
        np.copyto(out, z)
        return out

    def predict(self, z):
        return z[:, 0] if z.shape[1] == 1 else z


REGRESSION = Regression()


def r_squared(y_hat: np.ndarray, y: np.ndarray) -> float:
    """R² = 1 - sum (y - y_hat)^2 / sum (y - mean y)^2: 1 is a perfect fit, 0 is no better
    than predicting the mean, negative is worse. y_hat: (N, 1) or (N,), y: (N,).
    Constant targets (no variance) give 1 for an exact fit, else 0."""
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    resid = y - np.asarray(y_hat, dtype=np.float64).reshape(-1)
    sse = float(resid @ resid)
    dev = y - y.mean() if y.size else y
    sst = float(dev @ dev)
    if sst <= 0.0:
        return 1.0 if sse == 0.0 else 0.0
    return 1.0 - sse / sst


def _exp_clipped(s):
    """e^s in place, exponents below EXP_FLOOR clipped there first (their e^s is ~0)."""
    np.maximum(s, const(EXP_FLOOR[s.dtype], s.dtype), out=s)
    return np.exp(s, out=s)


_sigmoid = Sigmoid().fn  # overflow-free: (1 + tanh(z/2)) / 2
# r = 1 - 2y as a lookup: row y of this column, (2, 1) per dtype. take() is ~0.2 us where
# the arithmetic on y would be two calls and a cast.
_LOG2 = float(np.log(2.0))


@lru_cache(maxsize=32)
def _constants(n: int, dtype) -> SimpleNamespace:
    """The numbers the losses multiply by, as read-only arrays of the batch's dtype, made
    once per batch size: NumPy converts a Python float operand on every call (~0.35 us).
    ones: (n,), for sums written as dot products (~0.4 us less than a NumPy sum);
    signs: r = 1 - 2y by label y, (2, 1); inv_n = 1/n, half_inv_n = 0.5/n, half, zero."""
    arrays = {
        "ones": np.ones(n, dtype),
        "signs": np.array([[1.0], [-1.0]], dtype),
        "inv_n": np.array(1.0 / n, dtype),
        "half_inv_n": np.array(0.5 / n, dtype),
        "half": np.array(0.5, dtype),
        "zero": np.array(0.0, dtype),
    }
    for a in arrays.values():
        a.flags.writeable = False
    return SimpleNamespace(**arrays)


@lru_cache(maxsize=8)
def _identity(k: int, dtype) -> np.ndarray:
    """(k, k) identity: its row y is the one-hot vector of class y (read-only)."""
    eye = np.eye(k, dtype=dtype)
    eye.flags.writeable = False
    return eye


LOSSES: dict[str, Loss] = {
    loss.name: loss for loss in (CrossEntropy(), BinaryCrossEntropy(), MeanSquaredError())
}


def get_loss(name: str) -> Loss:
    """Look up a loss by name; unknown names raise ValueError listing the choices."""
    try:
        return LOSSES[name]
    except (KeyError, TypeError):
        raise ValueError(f"loss must be one of {', '.join(LOSSES)}; got {name!r}") from None
