"""Figures of qm9 (Section 5, Appendix E.2); its molecule grids are drawn by RDKit in C++."""
import matplotlib.pyplot as plt

from .training import training


def distances(spec):
    """Histograms of the interatomic distances of each set of samples against the training molecules."""
    panels, (lo, hi) = spec["panels"], spec["range"]
    fig, axes = plt.subplots(1, len(panels), figsize=(3.4 * len(panels), 3.0), squeeze=False, layout="constrained")
    fig.suptitle(spec["title"], fontsize=10)
    for k, (ax, panel) in enumerate(zip(axes[0], panels)):
        ax.hist(spec["data"], bins=64, range=(lo, hi), density=True, color="0.6", label="data")
        ax.hist(panel["distances"], bins=64, range=(lo, hi), density=True, color="tab:red", alpha=0.7, label="samples")
        ax.set_title(panel["title"], fontsize=9)
        ax.set_xlabel("pair distance (Å)")
        if k == 0:
            ax.legend(fontsize=7, loc="upper right")
    return fig


FIGURES = {"distances": distances, "training": training}
