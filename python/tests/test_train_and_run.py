"""Contrastive divergence over a torch.nn.Module energy, and whole experiments through esvgd.run."""
import json
import os

import pytest
import torch

import esvgd


class Quadratic(torch.nn.Module):
    """E(x) = |x - mu|^2 / 2: its model is N(mu, I), so CD must move mu to the data mean."""

    def __init__(self):
        super().__init__()
        self.mu = torch.nn.Parameter(torch.zeros(2, dtype=torch.float64))

    def forward(self, x):
        return 0.5 * (x - self.mu).pow(2).sum(1)


@pytest.mark.parametrize("kernel", [None, esvgd.RBF(1.0)])
def test_cd_moves_the_energy_to_the_data(kernel):
    data = torch.randn(512, 2, dtype=torch.float64) + torch.tensor([2.0, -1.0], dtype=torch.float64)
    energy = Quadratic()
    cd = esvgd.ContrastiveDivergence(energy, torch.optim.SGD(energy.parameters(), lr=0.2), kernel=kernel, steps=20,
                                     step_size=0.1, seed=1)
    for epoch in range(60):
        stats = cd.step(data[torch.randint(0, 512, (64,))])
    assert all(k in stats for k in ("loss", "energy_data", "energy_negative"))
    torch.testing.assert_close(energy.mu.detach(), torch.tensor([2.0, -1.0], dtype=torch.float64), atol=0.35, rtol=0)


def test_cd_rejects_bad_batches():
    energy = Quadratic()
    cd = esvgd.ContrastiveDivergence(energy, torch.optim.SGD(energy.parameters(), lr=0.1))
    with pytest.raises(ValueError, match="must be \\[B, D\\]"):
        cd.step(torch.zeros(4, dtype=torch.float64))


def test_run_returns_the_metrics_and_writes_the_run_folder(tmp_path):
    out = str(tmp_path / "c4")
    metrics = esvgd.run("c4-gaussians", preset="quick", overrides={"svgd.steps": 20}, out=out, quiet=True, threads=1,
                        plot=False)
    assert metrics == json.load(open(os.path.join(out, "metrics.json")))
    assert {row["kernel"] for row in metrics["metrics"]["samplers"]} >= {"rbf", "orbit-matrix(C4)"}
    assert json.load(open(os.path.join(out, "config.resolved.json")))["svgd.steps"] == 20


def test_run_errors_carry_the_command_line_message(tmp_path):
    with pytest.raises(esvgd.Error, match="unknown experiment.*c4-gaussians"):
        esvgd.run("c5-gaussians", out=str(tmp_path / "x"), quiet=True, plot=False)
    with pytest.raises(esvgd.Error, match="svgd.stepz"):
        esvgd.run("c4-gaussians", preset="quick", overrides={"svgd.stepz": 1}, out=str(tmp_path / "y"), quiet=True, plot=False)
    assert ("c4-gaussians" in dict(esvgd.experiments()))
