"""The pieces of an exported script that depend on the run: the optimizer and the data.

The network's math is not here: script_network.py inlines app/nn/reference.py's functions.
Each piece is plain NumPy written for reading, yet it does the engine's arithmetic in the
engine's order (app/nn), so the script continues a session to the last bit or nearly: the
tests run every piece against the session.
"""

from __future__ import annotations

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
