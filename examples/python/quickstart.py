#!/usr/bin/python3
"""esvgd from Python: SVGD and E-SVGD on the paper's C4 mixture, then a torch.nn.Module energy
trained by contrastive divergence with E-SVGD negatives. Prints "quickstart: OK" when its checks pass;
--plot FILE also draws the particles (matplotlib).

    PYTHONPATH=build/python /usr/bin/python3 examples/python/quickstart.py --plot particles.png
"""
import argparse

import torch

import esvgd


def sample(target, kernel, x0):
    sampler = esvgd.SVGD(target, kernel, steps=500, step_size=0.5, bandwidth="median")
    return sampler.run(sampler.init(x0)).particles


def invariant_energy():
    """An MLP of C4-invariant features (radius and cos 4θ, sin 4θ scaled by r^4): a C4-invariant energy."""
    class Energy(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.net = torch.nn.Sequential(torch.nn.Linear(3, 32), torch.nn.SiLU(), torch.nn.Linear(32, 1))

        def forward(self, x):
            r2 = x.pow(2).sum(1, keepdim=True)
            z = torch.complex(x[:, :1], x[:, 1:]) ** 4 / (1 + r2 ** 2)
            return self.net(torch.cat([r2.sqrt(), z.real, z.imag], 1).to(torch.float32)).squeeze(1)
    return Energy()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--plot", help="write the particles to this PNG")
    args = parser.parse_args()
    torch.manual_seed(0)
    target = esvgd.cn_gaussian_mixture(4)  # four Gaussians on the axes at radius 3
    x0 = 2.0 * torch.randn(100, 2, dtype=torch.float64)
    svgd = sample(target, esvgd.RBF(1.0), x0)
    # E-SVGD's particles stand for whole orbits (docs/method.md): a random rotation of each one gives
    # samples of π itself.
    group = esvgd.C(4)
    orbits = sample(target, esvgd.OrbitMatrix(group, 1.0), x0)
    unfolded = torch.stack([esvgd.act(group.random_element(seed=i), x[None])[0] for i, x in enumerate(orbits)])
    truth = target.sample(2000, seed=1)
    h = esvgd.reference_bandwidth(truth)
    mmd_svgd, mmd_esvgd = esvgd.mmd2(svgd, truth, h), esvgd.mmd2(unfolded, truth, h)
    print(f"MMD² to exact samples: SVGD {mmd_svgd:.4f}, E-SVGD (orbits unfolded) {mmd_esvgd:.4f}")

    energy = invariant_energy()
    cd = esvgd.ContrastiveDivergence(energy, torch.optim.Adam(energy.parameters(), lr=1e-2),
                                     kernel=esvgd.OrbitMatrix(esvgd.C(4), 0.5), steps=10, step_size=0.1,
                                     energy_l2=0.1)
    data = truth.to(torch.float32)
    for step in range(200):
        stats = cd.step(data[torch.randint(0, len(data), (64,))])
    with torch.no_grad():  # the trained energy must prefer the data to points spread over the box
        e_data = energy(data).mean().item()
        e_box = energy(12 * torch.rand(2000, 2) - 6).mean().item()
    print(f"CD, 200 steps: mean energy of the data {e_data:.3f}, of uniform points in [-6, 6]² {e_box:.3f} "
          f"(last loss {stats['loss']:.3f})")

    if args.plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, axes = plt.subplots(1, 2, figsize=(8, 4), sharex=True, sharey=True)
        for ax, x, title in [(axes[0], svgd, "SVGD (RBF)"), (axes[1], orbits, "E-SVGD particles (one per orbit)")]:
            ax.scatter(truth[:, 0], truth[:, 1], s=2, c="0.8", label="exact samples")
            ax.scatter(x[:, 0], x[:, 1], s=8, label="particles")
            ax.set_title(title)
            ax.set_aspect("equal")
        axes[0].legend(loc="lower left", fontsize=8)
        fig.savefig(args.plot, dpi=120, bbox_inches="tight")
        print(f"particles: {args.plot}")
    ok = mmd_esvgd < 0.02 and mmd_svgd < 0.05 and e_data < e_box
    print("quickstart: OK" if ok else "quickstart: FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
