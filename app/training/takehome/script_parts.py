"""The pieces of an exported script that depend on the run: activation, loss, optimizer, data.

Each piece is plain NumPy written for reading, yet it does the engine's arithmetic in the
engine's order (app/nn), so the script continues a session to the last bit or nearly: the
tests run every piece against the session.
"""

from __future__ import annotations

ACTIVATIONS = {
    "tanh": '''
def f(z):
    """tanh squashes to (-1, 1)."""
    return np.tanh(z)


def f_prime(z, a):
    """tanh'(z) = 1 - a^2, from the output a = tanh(z)."""
    return 1.0 - a * a''',
    "sigmoid": '''
def f(z):
    """sigmoid(z) = 1 / (1 + e^-z), written as (1 + tanh(z / 2)) / 2: never overflows."""
    return (np.tanh(z * 0.5) + 1.0) * 0.5


def f_prime(z, a):
    """sigmoid'(z) = a (1 - a)."""
    return (1.0 - a) * a''',
    "relu": '''
def f(z):
    """relu(z) = max(z, 0)."""
    return np.maximum(z, 0.0)


def f_prime(z, a):
    """relu'(z) = 1 where z > 0, else 0 (also at 0)."""
    return (z > 0.0).astype(z.dtype)''',
    "leaky_relu": '''
def f(z):
    """leaky_relu(z) = z for z > 0, else 0.01 z."""
    return np.maximum(z, z * 0.01)


def f_prime(z, a):
    """1 where z > 0, else 0.01."""
    return (z > 0.0).astype(z.dtype) * (1.0 - 0.01) + 0.01''',
    "linear": '''
def f(z):
    """The identity: a = z."""
    return z.copy()


def f_prime(z, a):
    """1 everywhere."""
    return np.ones_like(z)''',
}

LOSSES = {
    "cross_entropy": '''
EXP_FLOOR = $exp_floor  # e^s below this is ~0 in $dtype: clipping keeps exp out of subnormals


def loss_and_grad(z, y):
    """Softmax + cross-entropy, fused. z: (N, C) logits, y: (N,) class labels.

    Returns the mean loss -log softmax(z)[y] and dL/dz = (softmax(z) - onehot(y)) / N: (N, C).
    """
    n = len(y)
    s = z - z.max(axis=1, keepdims=True)  # shifting leaves softmax unchanged; e^s <= 1
    s_y = s[np.arange(n), y]  # the true class's shifted logit: (N,)
    e = np.exp(np.maximum(s, EXP_FLOOR))
    total = e.sum(axis=1, keepdims=True)  # (N, 1), >= 1 so its log is safe
    y_hat = e / total  # softmax(z): (N, C)
    loss = (np.log(total).sum() - s_y.sum()) / n  # mean of log(sum_k e^s_k) - s_y
    onehot = np.eye(z.shape[1], dtype=z.dtype)[y]  # (N, C): row y of the identity
    return float(loss), (y_hat - onehot) * (1.0 / n)


def predict(z):
    """The class with the largest logit: (N,)."""
    return np.argmax(z, axis=1)


def score(z, y):
    """Accuracy: the share of examples whose predicted class is their label."""
    return float(np.mean(predict(z) == y))''',
    "binary_cross_entropy": '''
def loss_and_grad(z, y):
    """Sigmoid + binary cross-entropy from the logit z: (N, 1); y: (N,) labels 0/1.

    With r = 1 - 2y (+1 for class 0, -1 for class 1) and u = tanh(z / 2):
    L = mean softplus(r z), where softplus(s) = log(1 + e^s) = max(s, 0) + log 2 - log(1 + |u|)
    never overflows; dL/dz = (sigmoid(z) - y) / N = (u + r) / (2N): (N, 1).
    """
    n = len(y)
    r = (1.0 - 2.0 * y).reshape(n, 1).astype(z.dtype)  # (N, 1)
    u = np.tanh(z * 0.5)  # sigmoid(z) = (1 + u) / 2
    loss = (np.maximum(r * z, 0.0) - np.log1p(np.abs(u))).sum() / n + np.log(2.0)
    return float(loss), (u + r) * (0.5 / n)


def predict(z):
    """Class 1 where p > 0.5, i.e. z > 0: (N,)."""
    return (z[:, 0] > 0).astype(np.intp)


def score(z, y):
    """Accuracy: the share of examples whose predicted class is their label."""
    return float(np.mean(predict(z) == y))''',
    "mse": '''
def loss_and_grad(z, y):
    """Linear outputs + squared error. z: (N, C); y: (N,) labels, as targets t = onehot(y)
    (or t = y for a single output). L = mean 0.5 * sum_k (z_k - t_k)^2; dL/dz = (z - t) / N."""
    n, c = z.shape
    d = z.copy()  # d = z - t
    if c == 1:
        d -= y.reshape(n, 1).astype(z.dtype)
    else:
        d[np.arange(n), y] -= 1.0
    flat = d.ravel()
    loss = 0.5 * float(flat @ flat) / n
    return loss, d * (1.0 / n)


def predict(z):
    """The largest output (one output: class 1 where z > 0.5): (N,)."""
    if z.shape[1] == 1:
        return (z[:, 0] > 0.5).astype(np.intp)
    return np.argmax(z, axis=1)


def score(z, y):
    """Accuracy: the share of examples whose predicted class is their label."""
    return float(np.mean(predict(z) == y))''',
    "regression": '''
def loss_and_grad(z, y):
    """Linear output + squared error against real targets. z: (N, 1), y: (N,).
    L = mean 0.5 * (z - y)^2; dL/dz = (z - y) / N: (N, 1)."""
    n = z.shape[0]
    d = z - y.reshape(z.shape)
    flat = d.ravel()
    loss = 0.5 * float(flat @ flat) / n
    return loss, d * (1.0 / n)


def score(z, y):
    """R^2 = 1 - sum (y - z)^2 / sum (y - mean y)^2: 1 is a perfect fit, 0 no better than
    predicting the mean (computed in float64)."""
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    resid = y - np.asarray(z, dtype=np.float64).reshape(-1)
    sse = float(resid @ resid)
    dev = y - y.mean()
    sst = float(dev @ dev)
    if sst <= 0.0:
        return 1.0 if sse == 0.0 else 0.0
    return 1.0 - sse / sst''',
}

_LOOP = "    for name, g in grads.items():"
OPTIMIZERS = {
    "sgd": f'''LEARNING_RATE = $learning_rate


def update(grads):
    """Gradient descent: p <- p - lr * dL/dp, for every parameter p."""
{_LOOP}
        params[name] -= LEARNING_RATE * g''',
    "momentum": f'''LEARNING_RATE = $learning_rate
MOMENTUM = $momentum
$state


def update(grads):
    """Heavy ball: v <- mu v - lr g (a decaying sum of past steps); p <- p + v."""
{_LOOP}
        v[name] *= MOMENTUM
        v[name] -= LEARNING_RATE * g
        params[name] += v[name]''',
    "nesterov": f'''LEARNING_RATE = $learning_rate
MOMENTUM = $momentum
$state


def update(grads):
    """Nesterov: v <- mu v - lr g; p <- p + mu v - lr g (the gradient after the momentum)."""
{_LOOP}
        v[name] *= MOMENTUM
        v[name] -= LEARNING_RATE * g
        params[name] += MOMENTUM * v[name] - LEARNING_RATE * g''',
    "rmsprop": f'''LEARNING_RATE = $learning_rate
RHO = $rho
EPS = 1e-8
$state


def update(grads):
    """RMSprop: s <- rho s + (1 - rho) g^2; p <- p - lr g / (sqrt(s) + eps)."""
{_LOOP}
        s[name] *= RHO
        s[name] += (1.0 - RHO) * (g * g)
        params[name] -= LEARNING_RATE * (g / (np.sqrt(s[name]) + EPS))''',
    "adam": f'''LEARNING_RATE = $learning_rate
BETA1 = $beta1
BETA2 = $beta2
EPS = 1e-8
t = $t  # steps taken so far, for the bias corrections
$state


def update(grads):
    """Adam: m, v are decaying means of g and g^2, corrected for their zero start;
    p <- p - lr * m_hat / (sqrt(v_hat) + eps)."""
    global t
    t += 1
    step_size = LEARNING_RATE / (1.0 - BETA1**t)  # lr / (1 - beta1^t): m's correction
    v_scale = 1.0 / math.sqrt(1.0 - BETA2**t)  # sqrt(v_hat) = sqrt(v) / sqrt(1 - beta2^t)
{_LOOP}
        m[name] *= BETA1
        m[name] += (1.0 - BETA1) * g
        v[name] *= BETA2
        v[name] += (1.0 - BETA2) * (g * g)
        params[name] -= step_size * (m[name] / (np.sqrt(v[name]) * v_scale + EPS))''',
}
# Which state each optimizer keeps per parameter, named as in the script.
SLOTS = {"sgd": (), "momentum": ("v",), "nesterov": ("v",), "rmsprop": ("s",), "adam": ("m", "v")}

# Built-in 2-D generators that draw with sklearn, rewritten with the same draws in NumPy.
SKLEARN_FREE = {
    "gauss": '''
def blobs_at(centres, std, n_samples, seed):
    """Gaussian clusters (sklearn's make_blobs, drawing from the same legacy generator)."""
    rs = np.random.RandomState(seed)
    sizes = class_sizes(n_samples, len(centres))
    X = np.concatenate([rs.normal(loc=c, scale=std, size=(n, 2)) for c, n in zip(centres, sizes)])
    return X, _labels(sizes)


def gauss(n_samples, noise, seed, classes=2):
    """Two round Gaussian clusters at (2, 2) and (-2, -2)."""
    centres = np.array([[-2.0, -2.0], [2.0, 2.0]])
    return blobs_at(centres, 0.5 + 2.0 * noise, n_samples, seed)''',
    "blobs": '''
def blobs_at(centres, std, n_samples, seed):
    """Gaussian clusters (sklearn's make_blobs, drawing from the same legacy generator)."""
    rs = np.random.RandomState(seed)
    sizes = class_sizes(n_samples, len(centres))
    X = np.concatenate([rs.normal(loc=c, scale=std, size=(n, 2)) for c, n in zip(centres, sizes)])
    return X, _labels(sizes)


def blobs(n_samples, noise, seed, classes=3):
    """`classes` Gaussian clusters evenly spaced on a circle of radius 4."""
    rng = np.random.default_rng(seed)
    angles = rng.uniform(0.0, 2 * np.pi) + 2 * np.pi * np.arange(classes) / classes
    centres = 4.0 * np.column_stack([np.cos(angles), np.sin(angles)])
    return blobs_at(centres, 0.3 + 2.0 * noise, n_samples, seed)''',
    "moons": '''
def moons(n_samples, noise, seed, classes=2):
    """Two interleaving half circles (sklearn's make_moons), centred and scaled x3."""
    rs = np.random.RandomState(seed)
    n_out, n_in = n_samples // 2, n_samples - n_samples // 2
    X = np.vstack([
        np.append(np.cos(np.linspace(0, np.pi, n_out)), 1 - np.cos(np.linspace(0, np.pi, n_in))),
        np.append(np.sin(np.linspace(0, np.pi, n_out)),
                  1 - np.sin(np.linspace(0, np.pi, n_in)) - 0.5),
    ]).T
    X += rs.normal(scale=0.5 * noise, size=X.shape)
    X = (X - np.array([0.5, 0.25])) * 3.0
    return X, _labels([n_out, n_in])''',
    "circles": '''
def circles(n_samples, noise, seed, classes=2):
    """A ring of radius 5 around one of radius 2.5 (sklearn's make_circles, scaled x5)."""
    rs = np.random.RandomState(seed)
    n_out, n_in = n_samples // 2, n_samples - n_samples // 2
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.vstack([
        np.append(np.cos(t_out), np.cos(t_in) * 0.5),
        np.append(np.sin(t_out), np.sin(t_in) * 0.5),
    ]).T
    X += rs.normal(scale=0.3 * noise, size=X.shape)
    return X * 5.0, _labels([n_out, n_in])''',
}
