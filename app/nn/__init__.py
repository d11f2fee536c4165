"""The NumPy engine: a multi-layer perceptron and everything backprop needs.

Read in this order: activations, layers, losses, regularization, buffers (where the
numbers live), mlp (forward and backward), trace (what one step computed), optimizers,
initializers, schedules (the learning rate over time), health (saturated and dead
units), gradcheck.
"""

from .activations import ACTIVATIONS
from .gradcheck import check_gradients, numeric_gradient_entry, relative_error
from .health import dead_share, saturation_share, unit_health
from .initializers import INITIALIZERS
from .losses import LOSSES
from .mlp import MLP
from .optimizers import OPTIMIZERS, make_optimizer
from .schedules import SCHEDULES, scheduled_rate
from .trace import LayerTrace, Trace

__all__ = [
    "ACTIVATIONS",
    "INITIALIZERS",
    "LOSSES",
    "MLP",
    "OPTIMIZERS",
    "SCHEDULES",
    "LayerTrace",
    "Trace",
    "check_gradients",
    "dead_share",
    "make_optimizer",
    "numeric_gradient_entry",
    "relative_error",
    "saturation_share",
    "scheduled_rate",
    "unit_health",
]
