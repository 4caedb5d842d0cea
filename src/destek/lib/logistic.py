"""Logistic regression by Newton's method, in numpy: small models fitted offline (the bot's ranking and
calibration, bot/evaluate.py) whose weights ship with the package."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float64]


def fit(x: npt.NDArray[np.float64], y: Vector, l2: float = 0.1) -> Vector:
    """[bias, *weights] minimising the log loss plus l2/2 times the squared weights (not the bias)."""
    design = np.hstack([np.ones((len(x), 1)), x])
    w = np.zeros(design.shape[1])
    penalty = np.eye(design.shape[1]) * l2
    penalty[0, 0] = 0.0  # the bias is not shrunk
    for _ in range(50):
        p = 1 / (1 + np.exp(-design @ w))
        gradient = design.T @ (p - y) + penalty @ w
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def predict(w: Vector, x: npt.NDArray[np.float64]) -> Vector:
    result: Vector = 1 / (1 + np.exp(-(w[0] + x @ w[1:])))
    return result
