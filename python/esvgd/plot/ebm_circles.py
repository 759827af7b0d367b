"""Figures of ebm-circles (Appendix D.2)."""
import matplotlib.pyplot as plt

from .style import points, show_density
from .training import training

DATA, NEGATIVES = "tab:blue", "tab:red"


def _radii(ax, x, spec, color, label):
    r = spec["radius_grid"]
    ax.hist(((x ** 2).sum(1)) ** 0.5, bins=spec["radius_bins"], range=(0, r[-1]), density=True, color=color, alpha=0.7,
            label=label)
    ax.plot(r, spec["radius_density"], color="black", lw=1.5, label="true radius density")
    ax.set_xlim(0, r[-1])
    ax.set_xlabel("radius |x|")
    ax.legend(fontsize=7, loc="upper right")


def figure10(spec):
    """Columns: the target, then each combination. Top: the density with the data and the last CD negatives;
    bottom: their radii (the group-factorised space) against the true radius density."""
    rows, e = spec["rows"], spec["extent"]
    fig, axes = plt.subplots(2, 1 + len(rows), figsize=(3.4 * (1 + len(rows)), 6.4), squeeze=False,
                             layout="constrained")
    fig.suptitle(spec["title"])
    show_density(axes[0, 0], spec["target_log_density"], e)
    points(axes[0, 0], spec["data"], DATA, 3)
    axes[0, 0].set_title("target")
    _radii(axes[1, 0], spec["data"], spec, DATA, "data")
    for col, row in enumerate(rows, start=1):
        show_density(axes[0, col], row["log_density"], e)
        points(axes[0, col], spec["data"], DATA, 2)
        points(axes[0, col], row["negatives"], NEGATIVES, 3)
        axes[0, col].set_title(row["combination"])
        _radii(axes[1, col], row["negatives"], spec, NEGATIVES, "last negatives")
    return fig


FIGURES = {"figure10": figure10, "training": training}
