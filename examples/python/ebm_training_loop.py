#!/usr/bin/python3
"""E-SVGD inside your own PyTorch training loop: a C4-invariant energy model of the paper's C4
mixture, trained by contrastive divergence where the loop, the loss and the optimiser are yours and
esvgd only moves the negative samples (persistent chains, ten E-SVGD steps per batch on the current
energy). esvgd.ContrastiveDivergence packages the same loop; this is what it does inside.
Prints "ebm_training_loop: OK" when the trained energy prefers the data to the box and its
negatives sit in all four modes; --plot FILE draws the energy with the negatives.

    PYTHONPATH=build/python /usr/bin/python3 examples/python/ebm_training_loop.py --plot energy.png
"""
import argparse

import torch

import esvgd


class InvariantEnergy(torch.nn.Module):
    """E(x): an MLP of C4-invariant features (r and the angle's 4th harmonic), so E(gx) = E(x)."""

    def __init__(self):
        super().__init__()
        self.net = torch.nn.Sequential(torch.nn.Linear(3, 64), torch.nn.SiLU(), torch.nn.Linear(64, 64),
                                       torch.nn.SiLU(), torch.nn.Linear(64, 1))

    def forward(self, x):
        r = x.norm(dim=1, keepdim=True)
        z = torch.complex(x[:, :1], x[:, 1:]) ** 4 / (1e-6 + r ** 4)  # e^{4iθ}
        return self.net(torch.cat([r, z.real, z.imag], 1)).squeeze(1)


def quadrants(x):
    """Points per mode: the C4 mixture's modes sit on the axes (angle 0, 90, 180, 270 degrees)."""
    k = torch.round(torch.atan2(x[:, 1], x[:, 0]) / (torch.pi / 2)).long() % 4
    return torch.bincount(k, minlength=4)


def near_modes(x):
    """The share of points within 1 of the modes' radius 3."""
    return ((x.norm(dim=1) - 3).abs() < 1).double().mean().item()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--plot", help="write the energy and the negatives to this PNG")
    args = parser.parse_args()
    torch.manual_seed(0)
    data = esvgd.cn_gaussian_mixture(4).sample(4000, seed=1).float()

    energy = InvariantEnergy()
    optimizer = torch.optim.Adam(energy.parameters(), lr=3e-3)
    # The energy module is the score (−∇E by autograd, with the parameters as they are at each step).
    sampler = esvgd.SVGD(energy, esvgd.OrbitMatrix(esvgd.C(4), 0.5), steps=10, step_size=0.5)
    start = 12 * torch.rand(128, 2) - 6
    chains = sampler.init(start)  # persistent: they carry over from batch to batch
    for it in range(300):
        batch = data[torch.randint(0, len(data), (128,))]
        for _ in range(10):
            sampler.step(chains)
        negatives = chains.particles.detach()
        e_data, e_neg = energy(batch), energy(negatives)
        loss = e_data.mean() - e_neg.mean() + 0.1 * (e_data ** 2 + e_neg ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if it % 100 == 0:
            print(f"iteration {it}: loss {loss.item():.3f}, negatives near the modes {near_modes(negatives):.2f}, "
                  f"per mode {quadrants(negatives).tolist()}")

    with torch.no_grad():
        e_data = energy(data).mean().item()
        e_box = energy(12 * torch.rand(4000, 2) - 6).mean().item()
    near, per_mode = near_modes(chains.particles), quadrants(chains.particles)
    print(f"mean energy: data {e_data:.3f}, uniform points in [-6, 6]² {e_box:.3f}; negatives near the modes "
          f"{near:.2f} (data {near_modes(data):.2f}, their uniform start {near_modes(start):.2f}), per mode {per_mode.tolist()}")

    if args.plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        grid = torch.linspace(-6, 6, 150)
        gx, gy = torch.meshgrid(grid, grid, indexing="xy")
        with torch.no_grad():
            e = energy(torch.stack([gx.flatten(), gy.flatten()], 1)).reshape(150, 150)
        fig, ax = plt.subplots(figsize=(4.5, 4))
        shading = ax.contourf(gx, gy, torch.exp(-(e - e.min())), levels=20, cmap="Blues")
        ax.scatter(chains.particles[:, 0], chains.particles[:, 1], s=5, c="tab:red", label="E-SVGD negatives")
        fig.colorbar(shading, label="exp(−E) (unnormalised)")
        ax.set_aspect("equal")
        ax.legend(loc="lower left", fontsize=8)
        fig.savefig(args.plot, dpi=120, bbox_inches="tight")
        print(f"energy: {args.plot}")
    ok = e_data < e_box and near > near_modes(start) + 0.15 and bool(per_mode.min() >= 10)
    print("ebm_training_loop: OK" if ok else "ebm_training_loop: FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
