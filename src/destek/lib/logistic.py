"""Logistic regression by Newton's method, in numpy: small models fitted offline (the bot's ranking and
calibration, bot/evaluate.py) whose weights ship with the package, and the model as it is read back."""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float64]
log = logging.getLogger(__name__)


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


@dataclass(frozen=True, slots=True)
class Model:
    """A logistic regression over standardised features: p = σ(bias + ((x − mean) / scale) · weights)."""

    mean: Vector
    scale: Vector
    bias: float
    weights: Vector

    def probabilities(self, values: npt.NDArray[np.float64]) -> Vector:
        """One probability per row of `values`."""
        z = self.bias + ((values - self.mean) / self.scale) @ self.weights
        result: Vector = 1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0)))
        return result

    def probability(self, values: Sequence[float]) -> float:
        x = (np.asarray(values, dtype=np.float64) - self.mean) / self.scale
        z = self.bias + float(x @ self.weights)
        return 1 / (1 + math.exp(-max(min(z, 40.0), -40.0)))

    @classmethod
    def of(cls, data: dict[str, Any]) -> Model:
        return cls(
            mean=np.asarray(data["mean"], dtype=np.float64),
            scale=np.asarray(data["scale"], dtype=np.float64),
            bias=float(data["bias"]),
            weights=np.asarray(data["weights"], dtype=np.float64),
        )


def stored(path: Path, embedder_name: str, features: Sequence[str]) -> dict[str, Any] | None:
    """The weights fitted for this embedder in a weights file ({"by_embedder": {name: {...}}}), or None
    when there are none or they were fitted on other features."""
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text())
    found = (data.get("by_embedder") or {}).get(embedder_name)
    if found is None or list(found.get("features", [])) != list(features):
        return None
    return dict(found)


def load(
    path: Path, embedder_name: str, features: Sequence[str], *, fallback: dict[str, Any], what: str
) -> Model:
    """The stored model for this embedder, else the hand-set `fallback` (with a warning naming `what`)."""
    data = stored(path, embedder_name, features)
    if data is None:
        log.warning(
            "%s has no weights for the %s embedder in %s: using hand-set ones "
            "(run python -m destek.bot.evaluate --write)",
            what,
            embedder_name,
            path,
        )
        data = fallback
    return Model.of(data)
