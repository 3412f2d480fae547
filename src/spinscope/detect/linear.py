"""Linear heads with calibration, shared by the trainer and the runtime (numpy only)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@dataclass
class LinearHead:
    """``sigmoid(a * (x @ W + b) + c)`` per label, and the label's decision threshold.

    ``a``/``c`` are Platt-scaling parameters and ``thresholds`` apply to the
    calibrated probability; a multi-class head (genre) leaves them empty and
    uses a softmax instead.
    """

    labels: tuple[str, ...]
    weights: np.ndarray  # (n_features, n_labels)
    bias: np.ndarray  # (n_labels,)
    platt_a: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    platt_c: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    thresholds: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))

    def decision(self, idx: np.ndarray, val: np.ndarray) -> np.ndarray:
        return val @ self.weights[idx].astype(np.float32) + self.bias

    def calibrated(self, z: np.ndarray) -> np.ndarray:
        return sigmoid(self.platt_a * z + self.platt_c)

