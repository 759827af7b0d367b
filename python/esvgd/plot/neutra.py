"""Figures of `esvgd run neutra`: every method's samples per target, and the flows' training curves."""
import matplotlib.pyplot as plt
import numpy as np

from .sampling import particles
from .style import sampler_color


def training(spec):
    """The reverse KL (+ log Z) per training step, one panel per target, one line per flow."""
    targets = list(dict.fromkeys(row["target"] for row in spec["rows"]))
    fig, axes = plt.subplots(1, max(1, len(targets)), figsize=(4.2 * max(1, len(targets)), 3.4), squeeze=False,
                             layout="constrained")
    fig.suptitle(spec["title"])
    for ax, target in zip(axes[0], targets):
        for row in spec["rows"]:
            if row["target"] == target:
                ax.plot(row["loss"], color=sampler_color(row["method"]), lw=1, label=row["method"])
        ax.set_title(target)
        ax.set_xlabel("step")
        ax.set_ylabel("KL(q‖π) + log Z (batch)")
        ax.set_yscale("symlog")
        ax.legend(fontsize=7)
    return fig


def distances(spec):
    """Particle systems: the histogram of all pair distances of every method's samples and of the reference."""
    fig, ax = plt.subplots(figsize=(6.5, 4.2), layout="constrained")
    reference = spec["reference"]
    edges = np.linspace(0, spec["max_distance"], len(reference) + 1)
    ax.stairs(reference, edges, color="black", lw=2, label="reference")
    for row in spec["rows"]:
        ax.stairs(row["histogram"], edges, color=sampler_color(row["sampler"]), lw=1.2, label=row["sampler"])
    ax.set_xlabel("pair distance")
    ax.set_ylabel("share of pairs")
    ax.set_title(spec["title"])
    ax.legend(fontsize=8)
    return fig


FIGURES = {"particles": particles, "neutra_training": training, "distances": distances}
