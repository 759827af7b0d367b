"""Figures of jem-c4 (Section 4, Appendix D.1)."""
import matplotlib.pyplot as plt
import numpy as np

from .style import points, show_density
from .training import training

Y0, Y1, DATA, NEGATIVES = "tab:orange", "tab:green", "tab:blue", "tab:red"


def figure9(spec):
    """One row per model (the target first): the decision boundary p(y=1|x) with the data, p(x) with the data
    and the last negatives, p(x|y) with the class-conditional samples, and the samples folded into the wedge."""
    rows, e = spec["rows"], spec["extent"]
    fig, axes = plt.subplots(len(rows), 5, figsize=(16, 3.2 * len(rows)), squeeze=False, layout="constrained")
    fig.suptitle(spec["title"])
    data = np.concatenate([spec["data_y0"], spec["data_y1"]])
    for r, (row, (db, joint, c0, c1, fold)) in enumerate(zip(rows, axes)):
        db.imshow(row["p_y1"], origin="lower", extent=(-e, e, -e, e), cmap="coolwarm", vmin=0, vmax=1)
        points(db, spec["data_y0"], DATA, 2)
        points(db, spec["data_y1"], NEGATIVES, 2)
        db.set_title(f"{row['name']}: p(y=1|x)")
        show_density(joint, row["log_joint"], e)
        points(joint, data, DATA, 2)
        if "negatives" in row:
            points(joint, row["negatives"], NEGATIVES, 3)
        joint.set_title("π(x), data" if r == 0 else "p(x), data, negatives")
        for y, (ax, color) in enumerate([(c0, Y0), (c1, Y1)]):
            show_density(ax, row[f"log_c{y}"], e)
            points(ax, row[f"samples_y{y}"], color, 3)
            ax.set_title(f"{'π' if r == 0 else 'p'}(x|y={y})")
        points(fold, row["folded_y0"], Y0, 3, label="y=0")
        points(fold, row["folded_y1"], Y1, 3, label="y=1")
        fold.set_xlim(-1, e)  # the C4 wedge |angle| < 45°: |y| < x
        fold.set_ylim(-0.75 * e, 0.75 * e)
        fold.set_aspect("equal")
        fold.set_title("folded (fundamental domain)")
        fold.legend(fontsize=7, loc="upper left")
    return fig


FIGURES = {"figure9": figure9, "training": training}
