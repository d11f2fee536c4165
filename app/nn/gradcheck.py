"""Gradient check: compare backprop's gradients with centred finite differences.

    2-point   dL/dw ~ (L(w + h) - L(w - h)) / (2h)                               error O(h^2)
    4-point   dL/dw ~ (8 (L(w+h) - L(w-h)) - (L(w+2h) - L(w-2h))) / (12h)        error O(h^4)

Besides truncation, each estimate carries a rounding error of ~eps * |L| / h. With the
2-point rule and h = 1e-5 both are ~1e-11..1e-10 in float64, so a gradient entry of size
1e-5 can only be confirmed to ~1e-5 relative. The 4-point rule with h = 1e-4 brings the
total to ~1e-12 absolute, which is what `check_gradients` uses by default. Always float64:
in float32 the rounding term alone is ~1e-2.

For relu/leaky_relu the estimate is only valid when no pre-activation z crosses 0 between
w - 2h and w + 2h (the kink); keep |z| well above h * |x| in the data you check.

The loss differentiated is the one a training step sees (`net.train_loss`): batch norm with
the batch's statistics, dropout with the masks of the step being checked (`masks`).
"""

from __future__ import annotations

import numpy as np

H = 1e-5  # step of the 2-point rule
H4 = 1e-4  # step of the 4-point rule


def relative_error(a, b, floor: float = 1e-8) -> float:
    """a, b: arrays of the same shape; returns max_i |a_i - b_i| / max(|a_i|, |b_i|, floor).

    Entries smaller than `floor` are compared absolutely (divided by floor): a finite
    difference cannot resolve them relatively anyway.
    """
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.size == 0:
        return 0.0
    scale = np.maximum(np.maximum(np.abs(a), np.abs(b)), floor)
    return float(np.max(np.abs(a - b) / scale))


def _as_float64(net):
    return net if np.dtype(net.dtype) == np.float64 else net.copy("float64")


def numeric_gradient_entry(
    net, X, y, name: str, index, h: float = H, points: int = 2, masks=None
) -> float:
    """The finite-difference estimate of dL/d params[name][index] (`points` loss
    evaluations, 2 by default: cheap enough to run beside every traced step).

    X: (N, D), y: (N,); masks: the dropout masks of the step (see MLP.train_loss). Runs in
    float64 (on a float64 copy of a float32 network); the parameters are restored exactly.
    """
    net64 = _as_float64(net)
    X = np.asarray(X, np.float64)
    if name not in net64.params:
        raise ValueError(f"name must be one of {', '.join(net64.params)}; got {name!r}")
    p = net64.params[name]
    index = tuple(np.atleast_1d(index)) if np.ndim(index) else (index,)
    return _difference(lambda: net64.train_loss(X, y, masks), p, index, h, points)


def _difference(loss, array, index, h: float, points: int) -> float:
    """Centred difference of loss() with respect to array[index]; restores the value."""
    old = array[index]

    def at(step):
        array[index] = old + step
        return loss()

    try:
        if points == 2:
            return (at(h) - at(-h)) / (2 * h)
        if points == 4:
            return (8 * (at(h) - at(-h)) - (at(2 * h) - at(-2 * h))) / (12 * h)
        raise ValueError(f"points must be one of 2, 4; got {points!r}")
    finally:
        array[index] = old


def numeric_gradients(
    net, X, y, h: float = H4, points: int = 4, masks=None
) -> dict[str, np.ndarray]:
    """returns name -> finite-difference dL/d(param), plus "X" -> dL/dX (N, D); float64."""
    net64 = _as_float64(net)
    X = np.array(X, np.float64)
    out = {}
    for name, p in net64.params.items():
        g = np.zeros(p.shape)
        for index in np.ndindex(p.shape):
            g[index] = _difference(lambda: net64.train_loss(X, y, masks), p, index, h, points)
        out[name] = g
    gx = np.zeros(X.shape)
    for index in np.ndindex(X.shape):
        gx[index] = _difference(lambda: net64.train_loss(X, y, masks), X, index, h, points)
    out["X"] = gx
    return out


def check_gradients(
    net, X, y, h: float = H4, points: int = 4, floor: float = 1e-5
) -> dict[str, float]:
    """X: (N, D), y: (N,); returns name -> max relative error between backprop and finite
    differences for every parameter, and "X" for dL/dX. Runs on a float64 copy if needed.

    Relative errors are floored at |g| = 1e-5 (see relative_error): below that the
    finite difference's own ~1e-12 error would dominate."""
    net64 = _as_float64(net)
    X = np.asarray(X, np.float64)
    _, grads = net64.gradients(X, y, input_grad=True)
    analytic = {k: v.copy() for k, v in grads.items()}
    analytic["X"] = net64.trace.layers[0].dL_da_in.copy()
    masks = [lt.mask for lt in net64.trace.layers[:-1]]  # the dropout this step drew
    numeric = numeric_gradients(net64, X, y, h, points, masks)
    return {k: relative_error(analytic[k], numeric[k], floor) for k in analytic}
