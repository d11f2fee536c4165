"""Learning-rate schedules: the rate in force for one step, from the base rate.

A step that starts at epoch `epoch` (examples seen / training-set size, a float) and covers
`span` epochs (batch size / training-set size) uses

    constant      base
    step          base * gamma ** floor(epoch / every)      (x gamma every `every` epochs)
    exponential   base * gamma ** floor(epoch)              (x gamma each epoch)
    cosine        base * (1 + cos(pi * min(epoch, epochs) / epochs)) / 2   (to 0 at `epochs`)

times, during an optional linear warm-up of `warmup` epochs, min(1, (epoch + span) / warmup):
the first step already moves (by span / warmup of the rate), the rate is full at `warmup`.
Plain float64 arithmetic, so an exported script computes the very same rates.
"""

from __future__ import annotations

import math

SCHEDULES = ("constant", "step", "exponential", "cosine")


def scheduled_rate(
    base: float,
    epoch: float,
    span: float = 0.0,
    kind: str = "constant",
    every: int = 10,
    gamma: float = 0.5,
    epochs: int = 100,
    warmup: float = 0.0,
) -> float:
    """The learning rate of the step starting at `epoch` and covering `span` epochs."""
    if kind == "step":
        rate = base * gamma ** math.floor(epoch / every)
    elif kind == "exponential":
        rate = base * gamma ** math.floor(epoch)
    elif kind == "cosine":
        rate = base * (1.0 + math.cos(math.pi * min(epoch, epochs) / epochs)) / 2.0
    elif kind == "constant":
        rate = base
    else:
        raise ValueError(f"unknown schedule kind {kind!r}: constant, step, exponential or cosine")
    if warmup > 0:
        rate *= min(1.0, (epoch + span) / warmup)
    return rate
