"""Multinomial logistic regression in numpy (L-BFGS), and a text classifier built on it.

`EmbeddingClassifier` is what the bot uses for intents and topics: sentence embeddings, optionally
concatenated with hashed word/character n-gram features (which catch product names and exact phrases
the embedder blurs), an L2-regularised softmax head, and temperature scaling so that the probabilities
can be compared with a hand-over threshold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from destek.nlp.embedders import LexicalEmbedder
from destek.nlp.protocols import Embedder

Matrix = npt.NDArray[np.float64]


def softmax(z: Matrix) -> Matrix:
    z = z - z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


@dataclass
class SoftmaxModel:
    weights: Matrix  # (features, classes)
    bias: Matrix  # (classes,)
    temperature: float = 1.0

    def logits(self, x: npt.NDArray[np.floating]) -> Matrix:
        return np.asarray(x, dtype=np.float64) @ self.weights + self.bias

    def predict_proba(self, x: npt.NDArray[np.floating]) -> Matrix:
        return softmax(self.logits(x) / self.temperature)


def fit_softmax(
    x: npt.NDArray[np.floating],
    y: npt.NDArray[np.integer],
    n_classes: int,
    *,
    l2: float = 1e-3,
    sample_weight: npt.NDArray[np.floating] | None = None,
    max_iter: int = 300,
    tol: float = 1e-6,
    history: int = 10,
) -> SoftmaxModel:
    """Minimise mean cross-entropy + l2/2·|W|² (bias unpenalised) with L-BFGS. Deterministic: starts
    from zeros, no randomness."""
    # The two big products per step run in float32 (half the memory traffic, twice the BLAS speed);
    # the loss, the gradient sums and the L-BFGS state stay in float64.
    x32 = np.ascontiguousarray(x, dtype=np.float32)
    x32_t = np.ascontiguousarray(x32.T)
    n, d = x32.shape
    onehot = np.zeros((n, n_classes))
    onehot[np.arange(n), y] = 1.0
    w8 = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    w8 = w8 / w8.sum()

    def loss_grad(theta: Matrix) -> tuple[float, Matrix]:
        weights = theta[:-1]
        bias = theta[-1]
        z = (x32 @ weights.astype(np.float32)).astype(np.float64) + bias
        z -= z.max(axis=1, keepdims=True)
        logsum = np.log(np.exp(z).sum(axis=1))
        logp = z - logsum[:, None]
        loss = float(-(w8 * (logp * onehot).sum(axis=1)).sum() + 0.5 * l2 * (weights * weights).sum())
        delta = (np.exp(logp) - onehot) * w8[:, None]
        grad = np.empty_like(theta)
        grad[:-1] = (x32_t @ delta.astype(np.float32)).astype(np.float64) + l2 * weights
        grad[-1] = delta.sum(axis=0)
        return loss, grad

    theta = np.zeros((d + 1, n_classes))
    loss, grad = loss_grad(theta)
    s_hist: list[Matrix] = []
    y_hist: list[Matrix] = []
    for _ in range(max_iter):
        # Two-loop recursion: direction = -H·grad.
        q = grad.copy()
        alphas = []
        for s, yv in zip(reversed(s_hist), reversed(y_hist), strict=True):
            rho = 1.0 / float((yv * s).sum())
            a = rho * float((s * q).sum())
            alphas.append((rho, a))
            q -= a * yv
        if s_hist:
            q *= float((s_hist[-1] * y_hist[-1]).sum()) / float((y_hist[-1] * y_hist[-1]).sum())
        else:
            q /= max(1.0, float(np.abs(q).max()))
        for (s, yv), (rho, a) in zip(zip(s_hist, y_hist, strict=True), reversed(alphas), strict=True):
            b = rho * float((yv * q).sum())
            q += (a - b) * s
        direction = -q
        slope = float((grad * direction).sum())
        if slope >= 0:  # not a descent direction: restart from steepest descent
            s_hist.clear()
            y_hist.clear()
            direction = -grad / max(1.0, float(np.abs(grad).max()))
            slope = float((grad * direction).sum())
        step = 1.0
        while True:
            candidate = theta + step * direction
            new_loss, new_grad = loss_grad(candidate)
            if new_loss <= loss + 1e-4 * step * slope or step < 1e-10:
                break
            step *= 0.5
        s_new, y_new = candidate - theta, new_grad - grad
        if float((s_new * y_new).sum()) > 1e-12:
            s_hist.append(s_new)
            y_hist.append(y_new)
            if len(s_hist) > history:
                s_hist.pop(0)
                y_hist.pop(0)
        improvement = loss - new_loss
        theta, loss, grad = candidate, new_loss, new_grad
        if improvement < tol * max(1.0, abs(loss)) and float(np.abs(grad).max()) < 1e-4:
            break
        if step < 1e-10:
            break
    return SoftmaxModel(weights=theta[:-1], bias=theta[-1])


def fit_temperature(logits: Matrix, y: npt.NDArray[np.integer]) -> float:
    """The temperature that minimises the negative log-likelihood of held-out logits (grid, then refine)."""
    best_t, best_nll = 1.0, float("inf")
    for t in np.exp(np.linspace(np.log(0.05), np.log(20.0), 61)):
        p = softmax(logits / t)
        nll = float(-np.log(p[np.arange(len(y)), y] + 1e-12).mean())
        if nll < best_nll:
            best_t, best_nll = float(t), nll
    return best_t


def stratified_folds(y: npt.NDArray[np.integer], folds: int) -> npt.NDArray[np.int64]:
    """Fold numbers 0..folds-1, one per row: each label's examples are dealt round-robin (in their order)
    so that every fold holds about the same share of every label. Deterministic, no randomness."""
    if folds < 1:
        raise ValueError("folds must be at least 1")
    order = np.argsort(y, kind="stable")
    fold_of = np.empty(len(y), dtype=np.int64)
    fold_of[order] = np.arange(len(y)) % folds
    return fold_of


class NgramFeatures:
    """Hashed, sublinear word/bigram/character n-gram counts (the lexical embedder's features) with IDF
    weights learnt at fit time, L2-normalised: a dense stand-in for a TF-IDF matrix."""

    def __init__(self, dimensions: int = 2048) -> None:
        self._hasher = LexicalEmbedder(dimensions)
        self.dimensions = dimensions
        self.idf: Matrix = np.ones(dimensions)

    def counts(self, texts: Sequence[str]) -> Matrix:
        """The raw (sublinear, signed) hashed counts: the slow, per-text part, reusable across fits."""
        out = np.zeros((len(texts), self.dimensions))
        for row, text in enumerate(texts):
            for feature, count in self._hasher.features(text).items():
                index, sign = self._hasher._index(feature)
                out[row, index] += sign * (1.0 + np.log(count) if count >= 1 else count)
        return out

    def fit_transform(self, texts: Sequence[str]) -> Matrix:
        return self.fit_counts(self.counts(texts))

    def transform(self, texts: Sequence[str]) -> Matrix:
        return self.transform_counts(self.counts(texts))

    def fit_counts(self, counts: npt.NDArray[np.floating]) -> Matrix:
        """Learn the IDF weights from the rows of counts() and return them weighted and normalised."""
        df = (counts != 0).sum(axis=0)
        self.idf = np.log((1 + len(counts)) / (1 + df)) + 1.0
        return self._finish(counts)

    def transform_counts(self, counts: npt.NDArray[np.floating]) -> Matrix:
        return self._finish(counts)

    def _finish(self, counts: npt.NDArray[np.floating]) -> Matrix:
        out = counts * self.idf
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        normalised: Matrix = out / norms
        return normalised


class SoftmaxClassifier:
    """Softmax regression on ready feature rows, with optional class balancing and temperature scaling.

    c: inverse regularisation strength (l2 = 1 / (c · n)); calibrate: fit a temperature on stratified
    cross-validation folds (when there are ≥ 3 examples per fold), else temperature 1; balanced: weigh
    each label equally however many examples it has (so a seed set heavy in complaints does not make
    every message look like one).
    """

    def __init__(
        self,
        *,
        c: float = 10.0,
        calibrate: bool = True,
        balanced: bool = False,
        folds: int = 3,
        max_iter: int = 300,
    ) -> None:
        self.c = c
        self.max_iter = max_iter
        self.calibrate = calibrate
        self.balanced = balanced
        self.folds = folds
        self.model: SoftmaxModel | None = None

    def fit(
        self,
        x: Matrix,
        y: npt.NDArray[np.integer],
        n_labels: int | None = None,
        sample_weight: npt.NDArray[np.float64] | None = None,
    ) -> None:
        k = max(n_labels or 0, int(y.max()) + 1)
        l2 = 1.0 / (self.c * len(y))
        weights = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        if self.balanced:
            counts = np.bincount(y, minlength=k).astype(np.float64)
            weights = (1.0 / counts[y]) * (1.0 if weights is None else weights)
        self.model = fit_softmax(x, y, k, l2=l2, sample_weight=weights, max_iter=self.max_iter)
        if self.calibrate and len(y) >= 3 * self.folds and k > 1:
            self.model.temperature = self._cv_temperature(x, y, k, l2, weights)

    def _cv_temperature(
        self,
        x: Matrix,
        y: npt.NDArray[np.integer],
        k: int,
        l2: float,
        weights: npt.NDArray[np.float64] | None,
    ) -> float:
        fold_of = stratified_folds(y, self.folds)
        logits = np.zeros((len(y), k))
        for f in range(self.folds):
            held = fold_of == f
            fold_weights = None if weights is None else weights[~held]
            model = fit_softmax(
                x[~held], y[~held], k, l2=l2, sample_weight=fold_weights, max_iter=min(150, self.max_iter)
            )
            logits[held] = model.logits(x[held])
        return fit_temperature(logits, y)

    def predict_proba(self, x: Matrix) -> Matrix:
        if self.model is None:
            raise RuntimeError("the classifier is not fitted: call fit() first")
        return self.model.predict_proba(x)


class EmbeddingClassifier:
    """The Classifier protocol: sentence embeddings (+ optional hashed n-gram TF-IDF features) into a
    calibrated SoftmaxClassifier. ngram_weight 0 turns the n-gram block off; otherwise it scales the
    (unit-length) n-gram block against the (unit-length) embedding."""

    def __init__(
        self,
        embedder: Embedder,
        *,
        c: float = 10.0,
        ngram_weight: float = 0.0,
        ngram_dimensions: int = 2048,
        calibrate: bool = True,
        balanced: bool = False,
    ) -> None:
        self.embedder = embedder
        self.ngram_weight = ngram_weight
        self.labels: tuple[str, ...] = ()
        self.head = SoftmaxClassifier(c=c, calibrate=calibrate, balanced=balanced)
        self._ngrams = NgramFeatures(ngram_dimensions) if ngram_weight > 0 else None

    def _features(self, texts: Sequence[str], *, fit: bool) -> Matrix:
        dense = np.asarray(self.embedder.embed(list(texts)), dtype=np.float64)
        if self._ngrams is None:
            return dense
        grams = self._ngrams.fit_transform(texts) if fit else self._ngrams.transform(texts)
        return np.hstack([dense, self.ngram_weight * grams])

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> None:
        if len(texts) != len(labels) or not texts:
            raise ValueError("fit needs as many labels as texts, and at least one of each")
        self.labels = tuple(sorted(set(labels)))
        index = {label: i for i, label in enumerate(self.labels)}
        y = np.array([index[label] for label in labels])
        self.head.fit(self._features(texts, fit=True), y, len(self.labels))

    def predict_proba(self, texts: Sequence[str]) -> Matrix:
        if not texts:
            return np.zeros((0, len(self.labels)))
        if self.head.model is None:
            raise RuntimeError("the classifier is not fitted: call fit() first")
        return self.head.predict_proba(self._features(texts, fit=False))

    def predict(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """The best label and its probability for each text."""
        probs = self.predict_proba(texts)
        best = probs.argmax(axis=1)
        return [(self.labels[int(i)], float(probs[row, i])) for row, i in enumerate(best)]
