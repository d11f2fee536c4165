"""Output activations fused with their losses.

The last layer's activation and the loss are computed together because the pair has a
short, numerically stable gradient with respect to the output pre-activations z:

    softmax + cross-entropy   dL/dz = (softmax(z) - onehot(y)) / N
    sigmoid + binary CE       dL/dz = (sigmoid(z) - y) / N
    linear  + MSE             dL/dz = (z - onehot(y)) / N

Taking the two derivatives separately would divide by probabilities that can be 0.

Shapes: z: (N, K) output pre-activations (K output units), y: (N,) integer class labels.
Every loss is a mean over the batch, so every gradient is already divided by N.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np


@lru_cache(maxsize=32)
def _rows(n: int) -> np.ndarray:
    """0..n-1, cached: used to pick z[i, y_i] for every row i."""
    return np.arange(n)


@lru_cache(maxsize=32)
def _true_class(n: int, k: int) -> np.ndarray:
    """(N,) start of each row in a raveled (N, K) array; + y gives the flat index of z[i, y_i]
    (one 1-D fancy index is cheaper than z[rows, y])."""
    return np.arange(0, n * k, k)


def _exp_floor(dtype) -> float:
    """Lowest exponent worth evaluating: e^x below it is ~0 in this dtype anyway.

    Clipping there keeps exp (and later products) clear of the subnormal range, so even
    `np.errstate(all="raise")` stays quiet for logits of +-1000.
    """
    return _EXP_FLOOR[dtype.itemsize if isinstance(dtype, np.dtype) else np.dtype(dtype).itemsize]


_EXP_FLOOR = {2: -10.0, 4: -60.0, 8: -600.0}


class Loss:
    """Base class. Subclasses implement `forward`; the rest is built on it.

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

    def forward(self, z, y, probs_out, grad_out) -> float:
        """Fused forward and backward.

        z: (N, K) output pre-activations; y: (N,) int labels; probs_out: (N, K) buffer that
        receives y_hat; grad_out: (N, K) buffer that receives dL/dz (divided by N).
        Returns the mean data loss as a Python float.
        """
        raise NotImplementedError

    def probs(self, z: np.ndarray) -> np.ndarray:
        """z: (N, K); returns y_hat (N, K), the output the network shows."""
        raise NotImplementedError

    def predict(self, z: np.ndarray) -> np.ndarray:
        """z: (N, K); returns (N,) int class labels."""
        return np.argmax(z, axis=1)

    def loss(self, z: np.ndarray, y: np.ndarray) -> float:
        """z: (N, K), y: (N,); returns the mean loss."""
        return self.forward(z, y, np.empty_like(z), np.empty_like(z))

    def grad(self, z: np.ndarray, y: np.ndarray) -> np.ndarray:
        """z: (N, K), y: (N,); returns dL/dz, (N, K), already divided by N."""
        g = np.empty_like(z)
        self.forward(z, y, np.empty_like(z), g)
        return g

    def __repr__(self) -> str:
        return f"<loss {self.name}>"


class CrossEntropy(Loss):
    """Softmax over K >= 2 outputs + cross-entropy: L = mean_i -log softmax(z_i)[y_i]."""

    name = "cross_entropy"
    output_activation = "softmax"

    def forward(self, z, y, probs_out, grad_out):
        n, k = z.shape
        true = _true_class(n, k) + y  # flat index of z[i, y_i] in the (N*K,) raveled array
        # Subtracting the row maximum leaves softmax unchanged and keeps exp <= 1.
        s = np.subtract(z, np.maximum.reduce(z, axis=1, keepdims=True), out=probs_out)
        s_y = s.reshape(-1)[true]  # shifted logit of the true class, (N,), before clipping
        np.maximum(s, _exp_floor(s.dtype), out=s)
        np.exp(s, out=s)
        total = np.add.reduce(s, axis=1, keepdims=True)  # >= 1, so the log below is safe
        s /= total  # s now holds the softmax probabilities
        # -log softmax(z)[y] = log(sum_k e^s_k) - s_y
        loss = (np.add.reduce(np.log(total, out=total), axis=None) - np.add.reduce(s_y)) / n
        np.multiply(s, 1.0 / n, out=grad_out)
        grad_out.reshape(-1)[true] -= 1.0 / n
        return float(loss)

    def probs(self, z):
        s = z - z.max(axis=1, keepdims=True)
        np.maximum(s, _exp_floor(s.dtype), out=s)
        np.exp(s, out=s)
        s /= s.sum(axis=1, keepdims=True)
        return s


class BinaryCrossEntropy(Loss):
    """One sigmoid output p = P(class 1) + binary cross-entropy, from the logit z:

    L = mean_i -[y log p + (1 - y) log(1 - p)] = mean_i softplus(z) - y z,
    with softplus(z) = log(1 + e^z) = max(z, 0) + log(1 + e^-|z|), which never overflows.
    """

    name = "binary_cross_entropy"
    output_activation = "sigmoid"

    def n_outputs(self, n_classes):
        return 1

    def n_classes(self, n_outputs):
        return 2

    def forward(self, z, y, probs_out, grad_out):
        n = z.shape[0]
        t = y.reshape(n, 1).astype(z.dtype)  # labels 0/1 as a column in z's dtype: (N, 1)
        u = np.abs(z, out=grad_out)  # grad_out is scratch until the last line
        np.minimum(u, -_exp_floor(u.dtype), out=u)
        np.negative(u, out=u)
        np.exp(u, out=u)
        np.log1p(u, out=u)
        loss = (u.sum() + np.maximum(z, 0.0).sum() - (z * t).sum()) / n
        _sigmoid(z, out=probs_out)
        np.subtract(probs_out, t, out=grad_out)
        grad_out *= 1.0 / n
        return float(loss)

    def probs(self, z):
        return _sigmoid(z, out=np.empty_like(z))

    def predict(self, z):
        return (z[:, 0] > 0).astype(np.intp)  # p > 0.5 exactly when z > 0


class MeanSquaredError(Loss):
    """Linear outputs + squared error against one-hot targets:

    L = mean_i 0.5 * sum_k (z_ik - t_ik)^2, t = onehot(y) (K >= 2 outputs), or t = y
    itself when there is a single output (binary labels 0/1; class 1 when z > 0.5).
    The 1/2 makes dL/dz = (z - t) / N.

    Probabilities: the raw outputs clipped to [0, 1] and normalised to sum to 1 per row
    (uniform when all are <= 0); with a single output, clip(z, 0, 1) = P(class 1).
    """

    name = "mse"
    output_activation = "linear"

    def n_classes(self, n_outputs):
        return 2 if n_outputs == 1 else n_outputs

    def forward(self, z, y, probs_out, grad_out):
        n, k = z.shape
        d = grad_out  # d = z - t, built in place
        np.copyto(d, z)
        if k == 1:
            d -= y.reshape(n, 1).astype(z.dtype)
        else:
            d[_rows(n), y] -= 1.0
        flat = d.reshape(-1)
        loss = 0.5 * float(flat @ flat) / n
        d *= 1.0 / n
        self._probs(z, probs_out)
        return loss

    def probs(self, z):
        return self._probs(z, np.empty_like(z))

    def predict(self, z):
        if z.shape[1] == 1:
            return (z[:, 0] > 0.5).astype(np.intp)
        return np.argmax(z, axis=1)

    @staticmethod
    def _probs(z, out):
        np.clip(z, 0.0, 1.0, out=out)
        if out.shape[1] > 1:
            total = out.sum(axis=1, keepdims=True)
            zero = total[:, 0] == 0
            if zero.any():
                out[zero] = 1.0
                total[zero] = out.shape[1]
            out /= total
        return out


class Regression(MeanSquaredError):
    """The same linear output + squared error, against real-valued targets y: (N,) floats
    (one output) or (N, K). Nothing is clipped: y_hat = z is the prediction itself, and
    L = mean_i 0.5 * sum_k (z_ik - y_ik)^2, so dL/dz = (z - y) / N as above.
    """

    def n_classes(self, n_outputs):
        return 0

    def forward(self, z, y, probs_out, grad_out):
        n = z.shape[0]
        np.subtract(z, y.reshape(z.shape), out=grad_out)
        flat = grad_out.reshape(-1)
        loss = 0.5 * float(flat @ flat) / n
        grad_out *= 1.0 / n
        np.copyto(probs_out, z)
        return loss

    def probs(self, z):
        return z.copy()

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


def _sigmoid(z, out):
    """Overflow-free sigmoid, (1 + tanh(z/2)) / 2, written into out."""
    np.multiply(z, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1.0
    out *= 0.5
    return out


LOSSES: dict[str, Loss] = {
    loss.name: loss for loss in (CrossEntropy(), BinaryCrossEntropy(), MeanSquaredError())
}


def get_loss(name: str) -> Loss:
    """Look up a loss by name; unknown names raise ValueError listing the choices."""
    try:
        return LOSSES[name]
    except (KeyError, TypeError):
        raise ValueError(f"loss must be one of {', '.join(LOSSES)}; got {name!r}") from None
