"""How often a playing session sends a frame, and how many steps each one carries.

`speed` is steps per frame at the base rate (settings.frame_rate, 30 a second). A light
session — the page draws its plane and its frame carries few weights (XOR 4,4: a frame is
~1.7 KB and ~1 ms to build) — gets frames SMOOTH times as often while its process is not
crowded, each with 1/SMOOTH of the steps: the same steps a second, and the boundary redrawn
up to 60 times a second, as TensorFlow Playground redraws it. A crowded process, a heavier
frame (a plane the server draws; more weights: spiral 6 x 8's ~1.3 KB deflated at 60/s would
pass the 64 KB/s a tab may cost), or training that cannot do its steps in the time it has
(top speed) keeps the base rate: those frames cost the server, the wire or training's time.
"""

from __future__ import annotations

SMOOTH = 2
MAX_RATE = 60.0  # frames a second at most: a display's refresh
CROWD_MAX = 4  # sessions of one process beyond which every frame costs too much to double
LIGHT_WEIGHTS = 200  # numbers of W (and dW when shown) a light frame carries at most
ALONE_SHARE = 0.95  # of a frame's time, for training, in a session alone in its process


def light(frame: dict) -> bool:
    """Is this frame cheap to send twice as often (the page draws its plane; few weights)?"""
    if frame.get("plane_by") != "page":
        return False
    layers = frame.get("layers") or []
    sent = sum(lay["fan_in"] * lay["fan_out"] * (2 if lay.get("dW") else 1) for lay in layers)
    return sent <= LIGHT_WEIGHTS


def frame_period(base_rate: float, light: bool, crowd: int, behind: bool = False) -> float:
    """Seconds between two frames of a playing session. `behind`: the last frame's time was
    up before its steps were done (top speed, a busy machine): training gets the time."""
    rate = base_rate
    if light and crowd <= CROWD_MAX and not behind:
        rate = max(base_rate, min(MAX_RATE, SMOOTH * base_rate))
    return 1.0 / rate


def work_share(crowd: int, shared: float) -> float:
    """The share of its frame's time a session may train: `shared` among others; alone in its
    process, all but what its frame and the loop need (top speed: ~12 % more steps)."""
    return ALONE_SHARE if crowd <= 1 else shared


def steps_owed(speed: float, base_rate: float, period: float) -> float:
    """Steps a frame `period` seconds long owes: `speed` per frame of the base rate."""
    return speed * base_rate * period
