"""The network part of an exported script: app/nn/reference.py's own functions, inlined.

No second copy of the math: each layer's forward and backward, the loss, and the way
reference_net.py composes them into a network are taken with inspect.getsource, only those
the run uses. What is left in strings here is the glue that names the run's loss
`loss_and_grad`, and how the page turns outputs into a class or a score.
"""

from __future__ import annotations

import inspect

from app.nn import reference, reference_net

LOSS_FUNCTION = {
    "cross_entropy": reference.softmax_cross_entropy,
    "binary_cross_entropy": reference.sigmoid_binary_cross_entropy,
    "mse": reference.mse,
    "regression": reference.mse,
}

LOSS_GLUE = {
    "cross_entropy": '''
def loss_and_grad(z, y):
    """z: (N, C) logits, y: (N,) labels -> mean loss, dL/dz (N, C)."""
    return softmax_cross_entropy(z, y)


def predict(z):
    """The class with the largest logit: (N,)."""
    return np.argmax(z, axis=1)''',
    "binary_cross_entropy": '''
def loss_and_grad(z, y):
    """z: (N, 1) logit of class 1, y: (N,) labels 0/1 -> mean loss, dL/dz (N, 1)."""
    return sigmoid_binary_cross_entropy(z, y)


def predict(z):
    """Class 1 where p > 0.5, i.e. z > 0: (N,)."""
    return (z[:, 0] > 0).astype(np.intp)''',
    "mse": '''
def loss_and_grad(z, y):
    """Linear outputs against one-hot targets (a single output: the label itself)."""
    targets = y.reshape(-1, 1) if z.shape[1] == 1 else np.eye(z.shape[1], dtype=z.dtype)[y]
    return mse(z, targets.astype(z.dtype))


def predict(z):
    """The largest output (one output: class 1 where z > 0.5): (N,)."""
    if z.shape[1] == 1:
        return (z[:, 0] > 0.5).astype(np.intp)
    return np.argmax(z, axis=1)''',
    "regression": '''
def loss_and_grad(z, y):
    """Linear output against real targets y: (N,) -> mean 0.5 (z - y)^2, dL/dz (N, 1)."""
    return mse(z, y)''',
}

ACCURACY = '''
def score(z, y):
    """Accuracy: the share of examples whose predicted class is their label."""
    return float(np.mean(predict(z) == y))'''

R2 = '''
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
    return 1.0 - sse / sst'''


def _source(*functions) -> str:
    return "\n\n\n".join(inspect.getsource(f).strip("\n") for f in functions)


def network_code(net, loss_key: str) -> str:
    """Every function the run's forward and backward need, as source, in reading order:
    the layers (affine, activations, norms, dropout), the loss, then the network."""
    specs = net.specs
    acts = sorted({s.activation for s in specs}, key=list(reference_net.ACTIVATION).index)
    functions = [reference.affine_forward, reference.affine_backward]
    for name in acts:
        functions += list(reference_net.ACTIVATION[name])
    if any(s.norm == "batch" for s in specs):
        functions += [reference.batchnorm_forward, reference.batchnorm_backward]
    if any(s.norm == "layer" for s in specs):
        functions += [reference.layernorm_forward, reference.layernorm_backward]
    if any(s.dropout for s in specs):
        functions += [reference.dropout_forward, reference.dropout_backward]
    table = ",\n".join(f'    "{a}": ({a}_forward, {a}_backward)' for a in acts)
    consts = []
    if "leaky_relu" in acts:
        consts.append(f"LEAKY_SLOPE = {reference.LEAKY_SLOPE!r}")
    consts.append(
        f"MOMENTUM = {reference_net.MOMENTUM!r}  # batch norm's running statistics keep this share"
    )
    glue = LOSS_GLUE[loss_key].strip("\n")
    score = (R2 if loss_key == "regression" else ACCURACY).strip("\n")
    return "\n\n\n".join(
        [
            "\n".join(consts),
            "# -- the layers: each forward returns (out, cache), its backward takes the cache",
            _source(*functions),
            "# -- the loss",
            _source(LOSS_FUNCTION[loss_key]),
            glue,
            score,
            "# -- the network: the layers composed, one hidden layer at a time",
            f"ACTIVATION = {{\n{table},\n}}" if acts else "ACTIVATION = {}  # no hidden layers",
            _source(
                reference_net.hidden_forward,
                reference_net.hidden_backward,
                reference_net.net_forward,
                reference_net.net_backward,
            ),
        ]
    )
