"""Figures of dw4 (Section 5, Appendix E.1)."""
import matplotlib.pyplot as plt
import numpy as np

from .training import training

GREY = "0.6"
BOND = 4.0  # d0: particles closer than this are drawn bonded


def _state_color(s):
    return plt.get_cmap("tab10")(s % 10)


def _frame(ax, half):
    ax.set_xlim(-half, half)
    ax.set_ylim(-half, half)
    ax.set_aspect("equal")


def states(spec):
    """Each meta-stable state in the canonical frame, bonds drawn, with its energy and how many starts found it."""
    rows = spec["rows"]
    fig, axes = plt.subplots(1, len(rows), figsize=(2.6 * len(rows), 2.9), squeeze=False, layout="constrained")
    fig.suptitle(spec["title"], fontsize=10)
    for k, (ax, row) in enumerate(zip(axes[0], rows)):
        z = row["particles"]
        for i in range(len(z)):
            for j in range(i + 1, len(z)):
                if np.linalg.norm(z[i] - z[j]) < BOND:
                    ax.plot(z[[i, j], 0], z[[i, j], 1], color=GREY, lw=1.5, zorder=1)
        ax.scatter(z[:, 0], z[:, 1], s=40, color=_state_color(k), zorder=2)
        _frame(ax, 4.5)
        ax.set_title(f"{row['name']}: u = {row['energy']:.2f} ({row['hits']} hits)", fontsize=9)
    return fig


def samples(spec):
    """Per panel, every particle of every configuration in the canonical frame, coloured by the state that
    its configuration relaxes to (grey: none)."""
    panels = spec["panels"]
    fig, axes = plt.subplots(1, len(panels), figsize=(3.4 * len(panels), 3.6), squeeze=False, layout="constrained")
    fig.suptitle(spec["title"], fontsize=10)
    for k, (ax, panel) in enumerate(zip(axes[0], panels)):
        for s in range(-1, spec["states"]):
            p = panel["particles"][panel["state"] == s].reshape(-1, 2)
            if len(p):
                ax.scatter(p[:, 0], p[:, 1], s=2, linewidths=0, color=GREY if s < 0 else _state_color(s),
                           label="none" if s < 0 else f"S{s + 1}")
        _frame(ax, 6)
        ax.set_title(panel["title"], fontsize=9)
        if k == 0:
            ax.legend(fontsize=7, loc="upper right", markerscale=3)
    return fig


def energies(spec):
    """Histograms of u over each panel's samples (before relaxation) against the training data."""
    panels, (lo, hi) = spec["panels"], spec["range"]
    fig, axes = plt.subplots(1, len(panels), figsize=(3.4 * len(panels), 3.0), squeeze=False, layout="constrained")
    fig.suptitle(spec["title"], fontsize=10)
    for k, (ax, panel) in enumerate(zip(axes[0], panels)):
        ax.hist(np.clip(spec["data_energy"], lo, hi), bins=44, range=(lo, hi), density=True, color=GREY, label="data")
        ax.hist(np.clip(panel["energy"], lo, hi), bins=44, range=(lo, hi), density=True, color="tab:red", alpha=0.7,
                label="samples")
        ax.set_title(panel["title"], fontsize=9)
        ax.set_xlabel(f"u(x), clipped to [{lo:g}, {hi:g}]")
        if k == 0:
            ax.legend(fontsize=7, loc="upper right")
    return fig


FIGURES = {"states": states, "samples": samples, "ablation": samples, "energies": energies, "training": training}
