"""Which planes the page draws itself from the weights (static/js/forward.js).

A small network's plane costs the server a forward pass over 100 x 100 points and the wire
~14 KB (boundary) + ~1 KB per neuron map, 30 times a second. Its weights are a few hundred
numbers, already in every frame for the diagram. So when the page says it can (`view` with
`plane: "page"`), frames of networks that pass `drawable` carry no boundary and no neuron maps
(`plane_by: "page"`), and the page computes them. Anything else keeps server-sent grids.

A new kind of layer or network (batch norm, dropout, residual, per-layer settings...) is not
drawable until forward.js computes it and tests/browser/test_forward.py proves it equal.
"""

from __future__ import annotations

from app.nn.mlp import MLP
from app.training.frames.parts import DIAGRAM_NODES, MAX_DIAGRAM_WEIGHTS

ACTIVATIONS = frozenset({"tanh", "sigmoid", "relu", "leaky_relu", "linear"})
OUTPUTS = frozenset({"softmax", "sigmoid", "linear"})


def drawable(net, data) -> bool:
    """Can the page compute this plane from a frame's W and b? 2-D data, a plain MLP whose
    every weight is in the frame (every layer within the diagram's DIAGRAM_NODES)."""
    return (
        data.kind == "2d"
        and type(net) is MLP  # not the lab's (a planted bug, a killed unit)
        and getattr(net, "blocks", None) is None  # no per-layer norm, dropout or skip
        and net.activation in ACTIVATIONS
        and net.loss_fn.output_activation in OUTPUTS
        and max(net.sizes) <= DIAGRAM_NODES
        and all(
            a * b <= MAX_DIAGRAM_WEIGHTS for a, b in zip(net.sizes, net.sizes[1:], strict=False)
        )
    )
