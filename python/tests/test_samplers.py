"""Samplers from Python: init/step/run, callbacks, stationary moments, tensors shared without copies, errors."""
import pytest
import torch

import esvgd


def gaussian(mean, var):
    d = len(mean)
    return esvgd.GaussianMixture(torch.tensor([mean], dtype=torch.float64),
                                 torch.diag(torch.tensor(var, dtype=torch.float64)).reshape(1, d, d),
                                 torch.ones(1, dtype=torch.float64), "gaussian")


def test_run_is_a_loop_over_step_and_clone_continues_identically():
    target = esvgd.cn_gaussian_mixture(4)
    sampler = esvgd.SVGD(target, esvgd.OrbitMatrix(esvgd.C(4), 0.5), steps=12, step_size=0.05, optimizer="adam",
                         bandwidth="median")
    x0 = torch.randn(40, 2, dtype=torch.float64)
    a, b = sampler.init(x0), sampler.init(x0)
    for _ in range(5):
        sampler.step(a)
    c = a.clone()
    for _ in range(7):
        sampler.step(a)
    sampler.run(b)
    sampler.run(c)
    assert a.step == b.step == c.step == 12
    assert torch.equal(a.particles, b.particles) and torch.equal(a.particles, c.particles)


def test_a_python_score_gives_the_same_chains_as_the_target():
    target = esvgd.cn_gaussian_mixture(4)
    x0 = torch.randn(30, 2, dtype=torch.float64)
    runs = []
    for score in (target, lambda x: target.score(x)):
        sampler = esvgd.SVGD(score, esvgd.RBF(0.5), steps=20, step_size=0.1)
        runs.append(sampler.run(sampler.init(x0)).particles)
    assert torch.equal(runs[0], runs[1])


def test_svgd_and_langevin_reach_the_moments_of_a_gaussian():
    target = gaussian([1.0, -2.0], [0.5, 2.0])
    # 1/N-normalised SVGD moves the mean slowly at small steps: ε = 1 reaches the moments in 1000 steps.
    svgd = esvgd.SVGD(target, esvgd.RBF(1.0), steps=1000, step_size=1.0, bandwidth="median")
    x = svgd.run(svgd.init(torch.randn(200, 2, dtype=torch.float64))).particles
    torch.testing.assert_close(x.mean(0), torch.tensor([1.0, -2.0], dtype=torch.float64), atol=0.02, rtol=0)
    torch.testing.assert_close(x.var(0), torch.tensor([0.5, 2.0], dtype=torch.float64), rtol=0.15, atol=0)
    langevin = esvgd.Langevin(target, steps=2000, step_size=0.02)  # time ε/2 per step: 20, mixed
    y = langevin.run(langevin.init(torch.zeros(2000, 2, dtype=torch.float64), seed=3)).particles
    torch.testing.assert_close(y.mean(0), torch.tensor([1.0, -2.0], dtype=torch.float64), atol=0.08, rtol=0)
    torch.testing.assert_close(y.var(0), torch.tensor([0.5, 2.0], dtype=torch.float64), rtol=0.1, atol=0)


def test_an_energy_module_is_a_score():
    class Quadratic(torch.nn.Module):
        def forward(self, x):
            return 0.5 * (x - 1.0).pow(2).sum(1)
    score = esvgd.score_of(Quadratic())
    x = torch.randn(5, 3, dtype=torch.float64)
    torch.testing.assert_close(score(x), 1.0 - x)


def test_callback_stops_the_run():
    seen = []

    def callback(info, particles):
        seen.append(info.step)
        return info.step < 2

    sampler = esvgd.SVGD(esvgd.cn_gaussian_mixture(4), esvgd.RBF(0.5), steps=50)
    result = sampler.run(sampler.init(torch.randn(10, 2, dtype=torch.float64)), callback)
    assert seen == [0, 1, 2] and result.steps == 3 and result.stop_reason == esvgd.StopReason.callback


def test_tensors_cross_without_copies():
    sampler = esvgd.SVGD(esvgd.cn_gaussian_mixture(4), esvgd.RBF(0.5), steps=1)
    state = sampler.init(torch.randn(10, 2, dtype=torch.float64))
    x = torch.randn(10, 2, dtype=torch.float64)
    state.particles = x
    assert state.particles.data_ptr() == x.data_ptr()
    seen = []
    sampler.score = lambda z: seen.append(z.data_ptr()) or -z
    sampler.step(state)
    assert seen == [x.data_ptr()]


def test_numpy_starts_are_accepted():
    import numpy as np
    sampler = esvgd.SVGD(esvgd.cn_gaussian_mixture(4), esvgd.RBF(0.5), steps=3)
    assert sampler.run(sampler.init(np.random.default_rng(0).normal(size=(8, 2)))).particles.shape == (8, 2)


def test_errors_name_the_option_or_the_callable():
    kernel = esvgd.RBF(0.5)
    x = torch.randn(5, 2, dtype=torch.float64)
    with pytest.raises(esvgd.Error, match="score: returned shape \\[5, 3\\] for points of shape \\[5, 2\\]"):
        esvgd.SVGD(lambda z: torch.zeros(5, 3, dtype=torch.float64), kernel, steps=1).run(esvgd.SVGD(lambda z: z, kernel).init(x))
    with pytest.raises(ZeroDivisionError):
        s = esvgd.SVGD(lambda z: 1 / 0, kernel, steps=1)
        s.run(s.init(x))
    with pytest.raises(TypeError, match="unknown option 'stepsize'.*step_size"):
        esvgd.SVGD(lambda z: z, kernel, stepsize=0.1)
    with pytest.raises(TypeError, match="OptimizerOptions: unknown option 'beta'.*adam_beta1"):
        esvgd.OptimizerOptions(beta=0.5)
    with pytest.raises(ValueError, match="adamw"):
        esvgd.SVGD(lambda z: z, kernel, optimizer="adamw")
    with pytest.raises(esvgd.Error, match="SvgdOptions::max_steps"):
        s = esvgd.SVGD(lambda z: -z, kernel, steps=-1)
        s.run(s.init(x))


def test_options_are_keyword_structs_with_nested_options_written_in_place():
    o = esvgd.SvgdOptions(max_steps=7, median=True)
    o.optimizer.step_size = 0.3
    o.optimizer.kind = "adam"
    assert (o.max_steps, o.median, o.optimizer.step_size, o.optimizer.kind) == (7, True, 0.3, esvgd.OptimizerKind.adam)
    assert "max_steps=7" in repr(o)
