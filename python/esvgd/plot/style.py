"""Colours and panel helpers shared by the plotting modules."""
import numpy as np

# One colour per sampler family, the same in every figure.
SAMPLER_COLORS = {"rbf": "tab:blue", "rbf-paper": "tab:brown", "orbit-matrix": "tab:red", "orbit-scalar": "tab:green",
                  "orbit-scalar-paper": "tab:orange", "neutra-equivariant": "tab:red", "neutra-realnvp": "tab:blue",
                  "hmc": "tab:gray", "e-svgd": "tab:green"}


def sampler_color(name: str) -> str:
    return SAMPLER_COLORS.get(name, "tab:purple")


def density_background(ax, density: np.ndarray, extent: float):
    """π on its [-e, e]² grid as filled grey contours, equal aspect."""
    ax.contourf(np.linspace(-extent, extent, density.shape[1]), np.linspace(-extent, extent, density.shape[0]),
                density, levels=8, cmap="Greys")
    ax.set_xlim(-extent, extent)
    ax.set_ylim(-extent, extent)
    ax.set_aspect("equal")


def points(ax, x, color, size, alpha=1.0, label=None):
    """The first two coordinates of the rows of x as a scatter without marker edges."""
    ax.scatter(x[:, 0], x[:, 1], s=size, color=color, alpha=alpha, linewidths=0, label=label)


def show_density(ax, log_density, extent, cmap="viridis"):
    """exp(log density) on its [-e, e]² grid as an image (the normalising constant does not change it)."""
    ax.imshow(np.exp(log_density - log_density.max()), origin="lower", extent=(-extent, extent, -extent, extent),
              cmap=cmap)
    ax.set_aspect("equal")
