"""Held-out rows that no dataset the sandbox can read would label (DESIGN.md, done item 5).

A dataset that ships in the virtualenv (scikit-learn's digits, wine, breast_cancer, ...) is readable in the sandbox,
so its rows, handed to a student's function, can be matched back to their labels. ``disguise`` sends every row
through one invertible affine map drawn in the judge: each new feature mixes all the old ones, so no row is near a
dataset row and no feature is one of the dataset's, while a model that learns from the training rows learns as well
as before (an invertible affine map loses no information). Hidden tests use it on the training rows and the held-out
rows alike, with a seed of their own that students never see.
"""

from __future__ import annotations

import numpy as np


def disguise(x: np.ndarray, *, fit: np.ndarray, seed: int, keep_scales: bool = False) -> np.ndarray:
    """Maps the rows of ``x`` through a random invertible affine map; float32.

    Features are standardised with the statistics of ``fit`` (the training rows) and rotated by a random orthogonal
    matrix. Then each is either shifted a little (the default: about unit spread, as the standardised features), or,
    with ``keep_scales``, given the spread and offset of one of the original features, in a random order: raw
    measurements from 0.001 to 4000 stay that uneven, so a question about normalisation keeps its point.

    Args:
        x: Rows to map, shape ``(N, F)``.
        fit: The rows whose mean and spread standardise the features (never the held-out rows).
        seed: Seeds the map; the same seed maps the training and the held-out rows alike.
        keep_scales: Give the mapped features the original features' spreads and offsets.
    """
    x, fit = np.asarray(x, np.float64), np.asarray(fit, np.float64)
    rng = np.random.default_rng(seed)
    features = x.shape[1]
    mean, spread = fit.mean(axis=0), fit.std(axis=0)
    spread = np.where(spread > 1e-9, spread, 1.0)  # a constant feature stays constant
    rotation, upper = np.linalg.qr(rng.standard_normal((features, features)))
    rotation *= np.sign(np.diag(upper))  # uniform (Haar) over the orthogonal matrices
    if keep_scales:
        order = rng.permutation(features)
        scales, shifts = spread[order], np.abs(mean[order]) + 2.0 * spread[order]
    else:
        scales, shifts = np.ones(features), rng.uniform(-1.0, 1.0, features)
    return ((((x - mean) / spread) @ rotation) * scales + shifts).astype(np.float32)
