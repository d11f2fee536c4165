"""Filter-normalised directions and the projection of the path onto their plane."""

from __future__ import annotations

import numpy as np

from app.nn import MLP
from app.nn.landscape import filter_normalized_direction, plane_coordinates


def test_each_filter_of_the_direction_has_the_norm_of_the_weights_filter():
    net = MLP([3, 5, 4, 2], activation="tanh", seed=1)
    d = filter_normalized_direction(net.params, np.random.default_rng(0))
    for name, p in net.params.items():
        part = net.params.view(d, name)
        if p.ndim == 2:  # column j: the incoming weights of unit j
            np.testing.assert_allclose(
                np.linalg.norm(part, axis=0), np.linalg.norm(p, axis=0), rtol=1e-6
            )
            assert not np.allclose(part, p)  # random, not the weights themselves
        else:
            assert not part.any()  # biases get no direction


def test_points_on_the_plane_project_to_their_coordinates():
    net = MLP([2, 8, 1], loss="binary_cross_entropy", seed=0)
    rng = np.random.default_rng(3)
    dirs = np.stack([filter_normalized_direction(net.params, rng) for _ in range(2)], axis=1)
    center = net.params.flat.astype(np.float64)
    ab = np.array([[0.0, 0.0], [0.5, -0.25], [-1.5, 2.0]])
    points = center + ab @ dirs.T  # (3, P)
    np.testing.assert_allclose(plane_coordinates(points, center, dirs), ab, atol=1e-9)
    # A point off the plane lands on its nearest point of the plane.
    off = points[1] + 0.1 * np.linalg.svd(dirs, full_matrices=True)[0][:, 2]
    np.testing.assert_allclose(plane_coordinates(off[None], center, dirs)[0], ab[1], atol=1e-9)
