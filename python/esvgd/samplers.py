"""Samplers in the BlackJAX shape: build once with a score, a kernel and options, then
state = sampler.init(x0); info = sampler.step(state) (the state advances in place) or
result = sampler.run(state). The state is a value: state.clone() continues identically."""
from typing import Callable, Optional

import torch

from . import _core
from ._core import LangevinOptions, SvgdOptions
from .scores import Score, score_of


def _as_tensor(x) -> torch.Tensor:
    return x if isinstance(x, torch.Tensor) else torch.as_tensor(x)


class SVGD:
    """(Equivariant) Stein variational gradient descent.

    score: an esvgd.Target, a torch.nn.Module energy or a callable x [N, D] -> grad log p [N, D].
    kernel: any esvgd.Kernel (RBF for SVGD; OrbitMatrix, SO2Orbit, ParticleOrbit, GroupAveraged or
    InvariantFeature for E-SVGD). Options: an SvgdOptions and/or keywords: steps, step_size,
    optimizer ("sgd", "adagrad", "adam"), bandwidth (a number, or "median" for the median heuristic
    at every step), and any SvgdOptions property (epsilon, temperature, langevin, ...).
    """

    def __init__(self, score: Score, kernel: "_core.Kernel", options: Optional[SvgdOptions] = None, **keywords):
        self.score = score_of(score)
        self.kernel = kernel
        self.options = options.copy() if options is not None else SvgdOptions()
        for key, value in keywords.items():
            self._set(key, value)

    def _set(self, key, value):
        if key == "steps":
            self.options.max_steps = value
        elif key == "step_size":
            self.options.optimizer.step_size = value
        elif key == "optimizer":  # a name: an unknown one is an esvgd.Error listing the names
            self.options.optimizer.kind = _core.OptimizerKind(value) if isinstance(value, str) else value
        elif key == "bandwidth":
            if value == "median":
                self.options.median = True
            else:
                self.kernel = self.kernel.with_bandwidth(float(value))
        elif hasattr(self.options, key) and not key.startswith("_"):
            setattr(self.options, key, value)
        else:
            raise TypeError(f"SVGD: unknown option '{key}' (expected steps, step_size, optimizer, bandwidth or an "
                            f"SvgdOptions property: {_core.SvgdOptions()})")

    def init(self, x0, anchors=None) -> "_core.SvgdState":
        """The state at step 0: particles x0 [N, D] (float64 or float32; numpy accepted, shared without a copy)."""
        return _core.svgd_init(_as_tensor(x0), self.kernel, self.options,
                               None if anchors is None else _as_tensor(anchors))

    def step(self, state: "_core.SvgdState") -> "_core.StepInfo":
        """The bandwidth rule, then one step (what run() does per step)."""
        _core.svgd_update_bandwidth(state, self.kernel, self.options)
        return _core.svgd_step(state, self.score, self.kernel, self.options)

    def run(self, state: "_core.SvgdState",
            callback: Optional[Callable[["_core.StepInfo", torch.Tensor], Optional[bool]]] = None) -> "_core.ChainResult":
        """Steps until options.max_steps, convergence (epsilon) or callback(info, particles) returning False."""
        return _core.svgd_run(state, self.score, self.kernel, self.options, callback)

    def __repr__(self) -> str:
        return f"SVGD(kernel={self.kernel!r}, options={self.options!r})"


class Langevin:
    """Unadjusted Langevin dynamics x += (ε/2) s(x) + σ sqrt(ε) ξ (σ = 1 samples p as ε -> 0; σ < 1 a colder p).

    Options: a LangevinOptions and/or keywords: steps, step_size, noise, clip, low, high.
    """

    def __init__(self, score: Score, options: Optional[LangevinOptions] = None, **keywords):
        self.score = score_of(score)
        self.options = options.copy() if options is not None else LangevinOptions()
        for key, value in keywords.items():
            key = "max_steps" if key == "steps" else key
            if key.startswith("_") or not hasattr(self.options, key):
                raise TypeError(f"Langevin: unknown option '{key}' (expected steps or a LangevinOptions property: "
                                f"{LangevinOptions()})")
            setattr(self.options, key, value)

    def init(self, x0, seed: int = 0) -> "_core.LangevinState":
        return _core.langevin_init(_as_tensor(x0), self.options, seed)

    def step(self, state: "_core.LangevinState") -> "_core.StepInfo":
        return _core.langevin_step(state, self.score, self.options)

    def run(self, state: "_core.LangevinState") -> "_core.ChainResult":
        return _core.langevin_run(state, self.score, self.options)
