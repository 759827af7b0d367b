"""Sample-quality metrics (RBF kernel of bandwidth h): MMD², KSD², mean log π; numpy accepted."""
import torch

from . import _core
from .scores import Score, score_of


def _tensor(x) -> torch.Tensor:
    return torch.as_tensor(x, dtype=torch.float64) if not isinstance(x, torch.Tensor) else x


def mmd2(x, y, bandwidth: float) -> float:
    """Unbiased MMD² between samples x [N, D] and y [M, D] (may be slightly negative)."""
    return _core.mmd2(_tensor(x), _tensor(y), bandwidth)


def ksd2(x, score: Score, bandwidth: float) -> float:
    """Kernel Stein discrepancy² (U-statistic) of samples x [N, D] against a score (target or callable)."""
    x = _tensor(x)
    return _core.ksd2(x, score_of(score)(x), bandwidth)


def reference_bandwidth(y) -> float:
    """A fixed bandwidth for comparing particle sets against reference samples y: sqrt(med |y - y'|² / 2)."""
    return _core.reference_bandwidth(_tensor(y))


def mean_log_prob(x, target) -> float:
    """Mean log π over the samples x [N, D] (target: an esvgd.Target or a callable x -> log π(x) [N])."""
    return float(target.log_prob(_tensor(x)).mean()) if hasattr(target, "log_prob") else float(target(_tensor(x)).mean())
