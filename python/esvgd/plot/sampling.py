"""Figures of the Section 3 sampling experiments (c4-gaussians, circles, spheres)."""
import matplotlib.pyplot as plt
import numpy as np

from .style import density_background, points, sampler_color


def _orbits(ax, row, color):
    if "orbit_radii" in row:  # SO(2): every particle's orbit is a circle
        theta = np.linspace(0, 2 * np.pi, 97)
        for r in row["orbit_radii"]:
            ax.plot(r * np.cos(theta), r * np.sin(theta), color=color, alpha=0.5, lw=0.8)
        points(ax, row["particles"], color, 5)
    else:
        points(ax, row["unfolded"], color, 4, alpha=0.6 if row["unfolded"].shape[1] == 3 else 1.0)


def _folded(ax, spec, row, color):
    if "radius_grid" in spec:  # radial targets: the radius histogram against the true marginal
        r = spec["radius_grid"]
        ax.hist(row["folded"], bins=spec["radius_bins"], range=(0, r[-1]), density=True, color=color, alpha=0.7,
                label="particles")
        ax.plot(r, spec["radius_density"], color="black", lw=1.5, label="true radius density")
        ax.set_xlabel("radius |x|")
        ax.set_xlim(0, r[-1])
        ax.set_title("folded: radius")
        ax.legend(fontsize=7, loc="best")
    else:
        if "density" in spec:
            density_background(ax, spec["density"], spec["extent"])
        points(ax, row["folded"], color, 6)
        ax.set_title("folded into the fundamental domain")


def particles(spec):
    """One row per sampler: the particles, their orbits unfolded, and the group-factorised space."""
    rows = spec["rows"]
    fig, axes = plt.subplots(len(rows), 3, figsize=(10.5, 3.3 * len(rows)), squeeze=False, layout="constrained")
    fig.suptitle(spec["title"])
    e, three_d = spec["extent"], spec["dim"] == 3
    for row, (raw, unf, fold) in zip(rows, axes):
        color = sampler_color(row["sampler"])
        for ax in (raw, unf):
            if "density" in spec:
                density_background(ax, spec["density"], e)
            if three_d:
                ax.set_xlim(-e, e)
                ax.set_ylim(-e, e)
                ax.set_aspect("equal")
        points(raw, row["particles"], color, 6)
        raw.set_title(f"{row['sampler']}: particles" + (" (x-y)" if three_d else ""))
        _orbits(unf, row, color)
        unf.set_title("orbits unfolded")
        _folded(fold, spec, row, color)
    return fig


def log_prob_trace(spec):
    """Mean log π of the particles against SVGD steps, with E_π[log π] of exact samples."""
    fig, ax = plt.subplots(figsize=(6.5, 4.2), layout="constrained")
    for row in spec["rows"]:
        ax.plot(row["step"], row["mean_log_prob"], color=sampler_color(row["sampler"]), lw=1.5, label=row["sampler"])
    ax.axhline(spec["truth_mean_log_prob"], color="black", ls="--", lw=1, label="E_π[log π] (exact samples)")
    ax.set_xlabel("SVGD step")
    ax.set_ylabel("mean log π(x_i)")
    ax.set_title(spec["title"])
    ax.legend(fontsize=8, loc="best")
    return fig


FIGURES = {"particles": particles, "log_prob_trace": log_prob_trace}
