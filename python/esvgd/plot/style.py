"""Colours and panel helpers shared by the plotting modules."""
import numpy as np

# One colour per sampler family, the same in every figure.
SAMPLER_COLORS = {"rbf": "tab:blue", "rbf-paper": "tab:brown", "orbit-matrix": "tab:red", "orbit-scalar": "tab:green",
                  "orbit-scalar-paper": "tab:orange"}


def sampler_color(name: str) -> str:
    return SAMPLER_COLORS.get(name, "tab:purple")


def density_background(ax, density: np.ndarray, extent: float):
    """π on its [-e, e]² grid as filled grey contours, equal aspect."""
    ax.contourf(np.linspace(-extent, extent, density.shape[1]), np.linspace(-extent, extent, density.shape[0]),
                density, levels=8, cmap="Greys")
    ax.set_xlim(-extent, extent)
    ax.set_ylim(-extent, extent)
    ax.set_aspect("equal")
