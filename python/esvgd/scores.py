"""Scores (grad log p) from targets, callables, log-densities and torch.nn.Module energies."""
from typing import Callable, Union

import torch

from ._core import Target

Score = Union[Target, Callable[[torch.Tensor], torch.Tensor]]


def score_from_log_prob(log_prob: Callable[[torch.Tensor], torch.Tensor]) -> Callable[[torch.Tensor], torch.Tensor]:
    """The score of a log-density written in torch: x [N, D] -> grad log p(x) [N, D], by autograd.

    log_prob maps x [N, D] to [N] (rows independent), up to a constant.
    """
    def score(x: torch.Tensor) -> torch.Tensor:
        with torch.enable_grad():
            x = x.detach().requires_grad_(True)
            (grad,) = torch.autograd.grad(log_prob(x).sum(), x)
        return grad
    return score


def score_from_energy(energy: Callable[[torch.Tensor], torch.Tensor]) -> Callable[[torch.Tensor], torch.Tensor]:
    """The score -grad E(x) of an energy model p(x) ∝ exp(-E(x)), e.g. a torch.nn.Module x [N, D] -> [N] or [N, 1].

    The module's parameters get no gradient from sampling (only x is differentiated).
    """
    return score_from_log_prob(lambda x: -energy(x).reshape(x.shape[0]))


def score_of(score: Score) -> Score:
    """What the samplers accept: a bound target (its C++ score, no Python per step), a torch.nn.Module
    energy (score -grad E by autograd), or a callable score x -> grad log p(x)."""
    if isinstance(score, Target):
        return score
    if isinstance(score, torch.nn.Module):
        return score_from_energy(score)
    if not callable(score):
        raise TypeError(f"a score must be an esvgd.Target, a torch.nn.Module energy or a callable, got {type(score).__name__}")
    return score
