"""Kernels from Python: the Stein direction against a plain-torch formula, equivariance, Python feature maps."""
import math

import numpy as np
import pytest
import torch

import esvgd


def rbf_phi_torch(x, y, s, h, temperature=1.0):
    """phi(x_i) = 1/M sum_j k(x_i, y_j) [s_j + T (x_i - y_j) / h^2] (textbook form), in plain torch."""
    diff = x[:, None, :] - y[None, :, :]
    k = torch.exp(-diff.pow(2).sum(-1) / (2 * h * h))
    return (k @ s + temperature * (k[:, :, None] * diff).sum(1) / (h * h)) / y.shape[0]


def test_rbf_phi_matches_plain_torch():
    x, y, s = torch.randn(7, 3, dtype=torch.float64), torch.randn(9, 3, dtype=torch.float64), torch.randn(9, 3, dtype=torch.float64)
    for h, t in [(0.7, 1.0), (1.5, 2.0)]:
        got = esvgd.RBF(h).phi(x, y, s, t)
        torch.testing.assert_close(got, rbf_phi_torch(x, y, s, h, t), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("make", [
    lambda: (esvgd.C(4), esvgd.OrbitMatrix(esvgd.C(4), 0.8)),
    lambda: (esvgd.SO(2), esvgd.SO2Orbit(0.8)),
    lambda: (esvgd.C(6), esvgd.GroupAveraged(esvgd.C(6), 0.8, "textbook")),
    lambda: (esvgd.SO(3), esvgd.SO3Orbit(1.1)),
])
def test_phi_is_equivariant_for_random_group_elements(make):
    group, kernel = make()
    d = group.dim
    x, s = torch.randn(11, d, dtype=torch.float64), torch.randn(11, d, dtype=torch.float64)
    for seed in range(3):
        g = group.random_element(seed)
        gx, gs = esvgd.act(g, x), esvgd.act(g, s)
        torch.testing.assert_close(kernel.phi(gx, gx, gs), esvgd.act(g, kernel.phi(x, x, s)), rtol=1e-10, atol=1e-10)


def test_rbf_is_not_equivariant_to_c4_orbits():
    """What the orbit kernel adds: it couples a point with the rotated copies of another (here y is
    close to x rotated by 90°), where the RBF sees two distant points."""
    x = torch.tensor([[3.0, 0.0], [0.2, 3.0]], dtype=torch.float64)
    s = torch.zeros_like(x)
    assert esvgd.RBF(0.5).phi(x[:1], x[1:], s[1:]).abs().max() < 1e-10
    assert esvgd.OrbitMatrix(esvgd.C(4), 0.5).phi(x[:1], x[1:], s[1:]).abs().max() > 1e-3


def test_python_feature_map_matches_the_radius_map():
    x, y, s = torch.randn(6, 2, dtype=torch.float64), torch.randn(8, 2, dtype=torch.float64), torch.randn(8, 2, dtype=torch.float64)
    python = esvgd.InvariantFeature(lambda z: z.norm(dim=1, keepdim=True), 0.6)
    native = esvgd.InvariantFeature(esvgd.RadiusMap(), 0.6)
    torch.testing.assert_close(python.phi(x, y, s), native.phi(x, y, s), rtol=1e-12, atol=1e-12)


def test_feature_map_errors_name_the_map():
    kernel = esvgd.InvariantFeature(esvgd.PythonFeatureMap(lambda z: z.sum(), "sum"), 0.5)
    x = torch.randn(4, 2, dtype=torch.float64)
    with pytest.raises(esvgd.Error, match="feature map 'sum'.*\\[N, F\\]"):
        kernel.phi(x, x, x)


def test_kernels_are_immutable_and_median_is_the_documented_rule():
    k = esvgd.RBF(1.0)
    k2 = k.with_bandwidth(2.0)
    assert (k.bandwidth, k2.bandwidth) == (1.0, 2.0)
    x = torch.randn(5, 2, dtype=torch.float64)
    d2 = torch.pdist(x).pow(2).sort().values
    expected = math.sqrt(float(d2[(d2.numel() - 1) // 2]) / (2 * math.log(6)))
    assert esvgd.median_bandwidth(k, x) == pytest.approx(expected, rel=1e-12)


def test_metrics_accept_numpy():
    a = np.random.default_rng(0).normal(size=(50, 2))
    assert esvgd.mmd2(a, a + 3.0, 1.0) > esvgd.mmd2(a, a + 0.01, 1.0)
    target = esvgd.cn_gaussian_mixture(4)
    assert esvgd.ksd2(target.sample(200, seed=1), target, 1.0) < esvgd.ksd2(np.zeros((200, 2)) + 0.1 * a[:1].repeat(200, 0), target, 1.0)
