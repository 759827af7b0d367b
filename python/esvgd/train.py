"""Contrastive divergence over a user's torch.nn.Module energy, with esvgd's samplers for the negatives.

The loss of one step (p_θ ∝ exp(-E_θ)):  mean E(x_data) - mean E(x_neg) + α (mean E(x_data)² + mean E(x_neg)²),
where the negatives are the chains after `steps` sampler steps on the current energy (SVGD/E-SVGD with the
data batch as fixed anchors, or Langevin). The gradient flows into the parameters only through E at fixed
samples (the sampler's moves are not differentiated), as in the library's trainer (docs/method.md).
"""
from typing import Dict, Optional

import torch

from . import _core
from .samplers import SVGD, Langevin
from .scores import score_from_energy


class ContrastiveDivergence:
    """energy: torch.nn.Module x [N, D] -> [N] or [N, 1]; optimizer: a torch optimizer over its parameters.

    kernel: an esvgd.Kernel for SVGD / E-SVGD negatives; None for Langevin negatives.
    persistent: keep the chains between steps (each row restarts at a data point with probability
    reset_probability), else every step starts its chains at the batch. Further keywords go to the
    sampler (steps, step_size, optimizer, bandwidth, noise, ...).
    """

    def __init__(self, energy: torch.nn.Module, optimizer: torch.optim.Optimizer, kernel: Optional[_core.Kernel] = None,
                 steps: int = 20, step_size: float = 0.1, energy_l2: float = 0.0, anchors: bool = True,
                 persistent: bool = True, reset_probability: float = 0.05, seed: int = 0, **sampler_options):
        if steps < 1:
            raise ValueError(f"ContrastiveDivergence: steps must be >= 1, got {steps}")
        if not 0.0 <= reset_probability <= 1.0:
            raise ValueError(f"ContrastiveDivergence: reset_probability must be in [0, 1], got {reset_probability}")
        self.energy, self.optimizer = energy, optimizer
        self.energy_l2, self.anchors = energy_l2, anchors
        self.persistent, self.reset_probability = persistent, reset_probability
        score = score_from_energy(energy)
        if kernel is None:
            self.sampler = Langevin(score, steps=steps, step_size=step_size, **sampler_options)
        else:
            self.sampler = SVGD(score, kernel, steps=steps, step_size=step_size, **sampler_options)
        self.generator = torch.Generator().manual_seed(seed)
        self.seed = seed
        self.chains: Optional[torch.Tensor] = None
        self.steps_taken = 0

    def _starts(self, batch: torch.Tensor) -> torch.Tensor:
        if not self.persistent or self.chains is None or self.chains.shape != batch.shape:
            return batch.detach().clone()
        reset = torch.rand(batch.shape[0], generator=self.generator) < self.reset_probability
        return torch.where(reset.unsqueeze(1), batch.detach(), self.chains)

    def negatives(self, batch: torch.Tensor) -> torch.Tensor:
        """The sampler's chains after its steps on the current energy, started as configured."""
        starts = self._starts(batch)
        if isinstance(self.sampler, SVGD):
            state = self.sampler.init(starts, batch.detach() if self.anchors else None)
        else:
            state = self.sampler.init(starts, seed=self.seed + self.steps_taken)
        self.sampler.run(state)
        self.chains = state.particles.detach()
        return self.chains

    def step(self, batch) -> Dict[str, float]:
        """One contrastive-divergence update on a data batch [B, D]; returns the loss and the mean energies."""
        batch = torch.as_tensor(batch)
        if batch.dim() != 2:
            raise ValueError(f"ContrastiveDivergence.step: the batch must be [B, D], got shape {tuple(batch.shape)}")
        negatives = self.negatives(batch)
        e_data = self.energy(batch).reshape(-1)
        e_neg = self.energy(negatives).reshape(-1)
        loss = e_data.mean() - e_neg.mean() + self.energy_l2 * (e_data.pow(2).mean() + e_neg.pow(2).mean())
        if not torch.isfinite(loss):
            raise FloatingPointError(f"ContrastiveDivergence: the loss is {loss.item()} at step {self.steps_taken}: "
                                     "try a smaller learning rate or energy_l2 > 0")
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        self.steps_taken += 1
        return {"loss": loss.item(), "energy_data": e_data.mean().item(), "energy_negative": e_neg.mean().item()}
