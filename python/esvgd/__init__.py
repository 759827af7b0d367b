"""esvgd: equivariant Stein variational gradient descent and equivariant energy-based models.

The C++ library's groups, targets, kernels, samplers and metrics, sharing tensors with PyTorch
(no copies; numpy arrays are accepted where a tensor is). Shapes: points are rows, x [N, D].
Bandwidth convention: every kernel is k(x, y) = exp(-d(x, y)^2 / (2 h^2)); h is a length.

    import esvgd, torch
    target = esvgd.cn_gaussian_mixture(4)                        # the paper's C4 mixture
    kernel = esvgd.OrbitMatrix(esvgd.C(4), bandwidth=0.5)        # E-SVGD's equivariant kernel
    sampler = esvgd.SVGD(target, kernel, step_size=0.1, steps=500)
    state = sampler.init(torch.randn(200, 2, dtype=torch.float64))
    result = sampler.run(state)                                  # or: info = sampler.step(state)

A score is an esvgd target, any callable x -> grad log p(x), or built with score_from_log_prob /
score_from_energy (a torch.nn.Module energy, by autograd). Whole experiments: esvgd.run(...).
"""
import torch  # noqa: F401  (loads LibTorch and torch's Python types before the extension)

from ._core import (  # noqa: F401
    C, O, SO, AnnealOptions, AnnealSchedule, ChainResult, DoubleWell, Error, FeatureMap, GaussianMixture, Group,
    GroupAveraged, ImageRotations, InvariantFeature, Kernel, LangevinOptions, LangevinState, MoleculeGroup,
    OptimizerKind, OptimizerOptions, OrbitMatrix, OrthogonalGroup, ParticleGroup, ParticleMap, ParticleOrbit,
    PythonFeatureMap, RadialMixture, RadiusMap, RBF, RepulsionForm, SO2Orbit, SO3Orbit, StepInfo, StopReason,
    SvgdOptions, SvgdState, Target, act, cn_gaussian_mixture, experiments, langevin_init, langevin_run,
    langevin_step, make_group, median_bandwidth, svgd_init, svgd_run, svgd_step, svgd_update_bandwidth)
from .metrics import ksd2, mean_log_prob, mmd2, reference_bandwidth  # noqa: F401
from .run import run  # noqa: F401
from .samplers import SVGD, Langevin  # noqa: F401
from .scores import score_from_energy, score_from_log_prob, score_of  # noqa: F401
from .train import ContrastiveDivergence  # noqa: F401

__version__ = "0.1.0"
