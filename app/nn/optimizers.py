"""Optimizers: turn gradients into parameter updates, params <- params + delta.

    sgd        delta = -lr * g
    momentum   v = mu * v - lr * g;                  delta = v
    nesterov   v = mu * v - lr * g;                  delta = mu * v - lr * g   (look-ahead)
    rmsprop    s = rho * s + (1 - rho) * g^2;        delta = -lr * g / (sqrt(s) + eps)
    adam       m = b1 * m + (1 - b1) * g;  v = b2 * v + (1 - b2) * g^2;  t = t + 1
               delta = -lr * m_hat / (sqrt(v_hat) + eps),
               m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t)   (bias correction)

`step(params, grads)` updates the arrays of `params` in place; their state lives in
`opt.state[name]` (e.g. state["W1"]["m"]) and the exact delta applied in
`opt.last_update[name]`. Hyperparameters are plain attributes: change `opt.learning_rate`
between steps and the state is kept.

Speed: when params and grads are the network's ParamDicts (every array a view into one
flat vector), each rule runs once on the flat vectors instead of once per array; the
per-name state and deltas are views into flat buffers, so nothing else changes.
"""

from __future__ import annotations

import math

import numpy as np

from .activations import const


class Optimizer:
    """Base class. Subclasses list their state `slots`, the `hyperparameters` their rule
    reads, and implement `_update`."""

    name = ""
    slots: tuple[str, ...] = ()
    hyperparameters: tuple[str, ...] = ("learning_rate",)

    def __init__(self, learning_rate=0.03, momentum=0.9, beta1=0.9, beta2=0.999, rho=0.9, eps=1e-8):
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.beta1, self.beta2, self.rho, self.eps = beta1, beta2, rho, eps
        self.t = 0  # steps taken
        self.state: dict[str, dict[str, np.ndarray]] = {}
        self.last_update: dict[str, np.ndarray] = {}
        self._layout = None  # ((name, shape, dtype), ...) of the params the state belongs to
        self._delta: np.ndarray | None = None  # the flat buffer behind last_update
        self._slots: dict[str, np.ndarray] = {}  # slot -> the flat buffer behind state
        # When params and grads are a network's ParamDicts: the two dicts, and the arguments
        # of one whole-network update (flat params, flat grads, delta, slots).
        self._bound: tuple | None = None
        self._flat: tuple | None = None

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """params, grads: name -> array of the same shape. Updates params in place."""
        bound = self._bound
        if bound is None or bound[0] is not params or bound[1] is not grads:
            self._bind(params, grads)
        self.t += 1
        if self._flat is not None:  # the whole network in one call per operation
            self._update(*self._flat)
        else:
            for name, p in params.items():
                self._update(p, grads[name], self.last_update[name], self.state[name])

    def reset(self) -> None:
        """Forget all state (moments, step count)."""
        self.t = 0
        self.state, self.last_update = {}, {}
        self._layout = self._bound = self._flat = None

    def load_state(self, params, grads, t: int, state: dict[str, dict[str, np.ndarray]]) -> None:
        """Continue from a saved state: `t` steps taken, state[name][slot] shaped like params."""
        self._bind(params, grads)
        self.t = t
        for name, slots in state.items():
            for slot, value in slots.items():
                self.state[name][slot][...] = value

    def _bind(self, params, grads) -> None:
        """Allocate state and delta buffers for these params (kept if the layout matches)."""
        layout = tuple((k, v.shape, v.dtype.str) for k, v in params.items())
        flat_p, flat_g = getattr(params, "flat", None), getattr(grads, "flat", None)
        use_flat = (
            flat_p is not None
            and flat_g is not None
            and getattr(params, "offsets", None) == getattr(grads, "offsets", 0)
        )
        if layout != self._layout:  # new parameters: fresh zero state
            self._layout = layout
            self.t = 0
            if use_flat:
                size, dtype = flat_p.size, flat_p.dtype
            else:
                size, dtype = sum(v.size for v in params.values()), np.result_type(*params.values())
            self._delta = np.zeros(size, dtype)
            self._slots = {s: np.zeros(size, dtype) for s in self.slots}
            # per-name views of the flat buffers, laid out like params
            offsets = params.offsets if use_flat else _offsets(params)
            self.last_update = {
                k: _view(self._delta, offsets[k], v.shape) for k, v in params.items()
            }
            self.state = {
                k: {s: _view(buf, offsets[k], v.shape) for s, buf in self._slots.items()}
                for k, v in params.items()
            }
        self._bound = (params, grads) if use_flat else None  # plain dicts: bind every step
        self._flat = (flat_p, flat_g, self._delta, self._slots) if use_flat else None

    def _update(self, p, g, delta, s) -> None:
        """Apply one step to p (in place) from gradient g; write the step into delta."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<optimizer {self.name} lr={self.learning_rate} t={self.t}>"


def _offsets(params) -> dict[str, int]:
    offsets, at = {}, 0
    for k, v in params.items():
        offsets[k] = at
        at += v.size
    return offsets


def _view(flat: np.ndarray, offset: int, shape) -> np.ndarray:
    return flat[offset : offset + math.prod(shape)].reshape(shape)


class SGD(Optimizer):
    name = "sgd"

    def _update(self, p, g, delta, s):
        np.multiply(g, const(-self.learning_rate, g.dtype), out=delta)
        p += delta


class Momentum(Optimizer):
    """Heavy ball: v accumulates a decaying sum of past steps."""

    name = "momentum"
    slots = ("v",)
    hyperparameters = ("learning_rate", "momentum")

    def _update(self, p, g, delta, s):
        v = s["v"]
        v *= self.momentum
        np.multiply(g, self.learning_rate, out=delta)
        v -= delta
        np.copyto(delta, v)
        p += delta


class Nesterov(Optimizer):
    """Momentum that applies the gradient as seen after the momentum step."""

    name = "nesterov"
    slots = ("v",)
    hyperparameters = ("learning_rate", "momentum")

    def _update(self, p, g, delta, s):
        v = s["v"]
        v *= self.momentum
        np.multiply(g, self.learning_rate, out=delta)
        v -= delta  # v = mu v - lr g; delta still holds lr g
        np.subtract(self.momentum * v, delta, out=delta)  # mu v - lr g
        p += delta


class RMSProp(Optimizer):
    """Divides each step by a running RMS of its gradients: per-weight step sizes."""

    name = "rmsprop"
    slots = ("s",)
    hyperparameters = ("learning_rate", "rho", "eps")

    def _update(self, p, g, delta, s):
        sq = s["s"]
        sq *= self.rho
        np.multiply(g, g, out=delta)
        delta *= 1.0 - self.rho
        sq += delta
        np.sqrt(sq, out=delta)
        delta += self.eps
        np.divide(g, delta, out=delta)
        delta *= -self.learning_rate
        p += delta


class Adam(Optimizer):
    """Momentum (m) + RMSProp (v), both bias-corrected for their zero start."""

    name = "adam"
    slots = ("m", "v")
    hyperparameters = ("learning_rate", "beta1", "beta2", "eps")

    def _update(self, p, g, delta, s):
        m, v, t = s["m"], s["v"], self.t
        m *= self.beta1
        np.multiply(g, 1.0 - self.beta1, out=delta)
        m += delta
        v *= self.beta2
        np.multiply(g, g, out=delta)
        delta *= 1.0 - self.beta2
        v += delta
        # -lr * (m / c1) / (sqrt(v / c2) + eps), c = 1 - beta^t, with one pass per operation
        np.sqrt(v, out=delta)
        delta *= 1.0 / math.sqrt(1.0 - self.beta2**t)
        delta += self.eps
        np.divide(m, delta, out=delta)
        delta *= -self.learning_rate / (1.0 - self.beta1**t)
        p += delta


OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (SGD, Momentum, Nesterov, RMSProp, Adam)
}


def make_optimizer(
    name: str, learning_rate=0.03, momentum=0.9, beta1=0.9, beta2=0.999, rho=0.9, eps=1e-8
) -> Optimizer:
    """Build an optimizer by name; unknown names raise ValueError listing the choices."""
    try:
        cls = OPTIMIZERS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"optimizer must be one of {', '.join(OPTIMIZERS)}; got {name!r}"
        ) from None
    return cls(
        learning_rate=learning_rate, momentum=momentum, beta1=beta1, beta2=beta2, rho=rho, eps=eps
    )
