"""Learning-rate schedules: the rate in force, epoch by epoch, against the formulas."""

from __future__ import annotations

import math

import pytest

from app.nn import scheduled_rate


def test_constant_is_the_base_rate():
    assert scheduled_rate(0.1, 7.3) == 0.1


def test_step_multiplies_by_gamma_every_k_epochs():
    rates = [scheduled_rate(1.0, e, kind="step", every=3, gamma=0.5) for e in range(10)]
    assert rates == [1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125]
    assert scheduled_rate(1.0, 2.99, kind="step", every=3, gamma=0.5) == 1.0


def test_exponential_multiplies_by_gamma_each_epoch():
    assert scheduled_rate(2.0, 4.5, kind="exponential", gamma=0.9) == pytest.approx(2 * 0.9**4)


def test_cosine_reaches_zero_at_its_epochs_and_stays_there():
    assert scheduled_rate(1.0, 0.0, kind="cosine", epochs=10) == 1.0
    assert scheduled_rate(1.0, 5.0, kind="cosine", epochs=10) == pytest.approx(0.5)
    assert scheduled_rate(1.0, 10.0, kind="cosine", epochs=10) == pytest.approx(0.0, abs=1e-15)
    assert scheduled_rate(1.0, 25.0, kind="cosine", epochs=10) == pytest.approx(0.0, abs=1e-15)
    mid = scheduled_rate(1.0, 2.5, kind="cosine", epochs=10)
    assert mid == pytest.approx((1 + math.cos(math.pi / 4)) / 2)


def test_warmup_ramps_linearly_then_gives_way_to_the_schedule():
    # One step covers 0.1 epoch: the first step already moves, at a tenth of the way.
    assert scheduled_rate(1.0, 0.0, 0.1, warmup=1.0) == pytest.approx(0.1)
    assert scheduled_rate(1.0, 0.4, 0.1, warmup=1.0) == pytest.approx(0.5)
    assert scheduled_rate(1.0, 3.0, 0.1, kind="step", every=2, gamma=0.5, warmup=1.0) == 0.5


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="linear"):
        scheduled_rate(1.0, 0.0, kind="linear")
