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
# The C++ core (and torch with it, seconds to import) loads on the first use of a name, so that the
# figure modules (esvgd.plot) need only matplotlib.
__version__ = "0.1.0"


def __getattr__(name):
    if name.startswith("_"):  # submodules (esvgd._core, ...) are found by the import system
        raise AttributeError(f"module 'esvgd' has no attribute '{name}'")
    import importlib
    _api = importlib.import_module("._api", __name__)
    if name not in _api.__all__:
        raise AttributeError(f"module 'esvgd' has no attribute '{name}'")
    value = getattr(_api, name)
    globals()[name] = value
    return value


def __dir__():
    import importlib
    _api = importlib.import_module("._api", __name__)
    return sorted(set(globals()) | set(_api.__all__))
