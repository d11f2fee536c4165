"""How often a playing session sends a frame, and how many steps each one carries.

`speed` is steps per frame at the base rate (settings.frame_rate, 30 a second). A session
whose plane the page draws itself (small networks: a frame is ~1.7 KB and ~1 ms to build)
gets frames SMOOTH times as often while its process is not crowded, each with 1/SMOOTH of the
steps: the same steps a second, and the boundary redrawn up to 60 times a second, as
TensorFlow Playground redraws it. A crowded process, or a plane the server draws, keeps the
base rate (those frames cost the server and the wire).
"""

from __future__ import annotations

SMOOTH = 2
MAX_RATE = 60.0  # frames a second at most: a display's refresh
CROWD_MAX = 4  # sessions of one process beyond which every frame costs too much to double


def frame_period(base_rate: float, page_plane: bool, crowd: int) -> float:
    """Seconds between two frames of a playing session."""
    rate = base_rate
    if page_plane and crowd <= CROWD_MAX:
        rate = max(base_rate, min(MAX_RATE, SMOOTH * base_rate))
    return 1.0 / rate


def steps_owed(speed: float, base_rate: float, period: float) -> float:
    """Steps a frame `period` seconds long owes: `speed` per frame of the base rate."""
    return speed * base_rate * period
