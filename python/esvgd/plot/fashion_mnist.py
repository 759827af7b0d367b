"""Figures of fashion-mnist (Section 5, Appendix E.3): image grids and the training figure."""
import matplotlib.pyplot as plt
import numpy as np

from .training import training


def image_grid(spec):
    """Grey-scale images in [0, 1] (black = 0), `columns` per row, a label left of each row when given."""
    images, columns, labels = spec["images"], spec["columns"], spec["row_labels"]
    rows = -(-len(images) // columns)
    side = images.shape[1]
    canvas = np.ones((rows * (side + 2), columns * (side + 2)))  # a white 2-pixel gap around each image
    for k, image in enumerate(images):
        r, c = divmod(k, columns)
        canvas[r * (side + 2) + 1:r * (side + 2) + 1 + side, c * (side + 2) + 1:c * (side + 2) + 1 + side] = image
    fig, ax = plt.subplots(figsize=(0.45 * columns + (1.3 if labels else 0.3), 0.45 * rows + 0.6), layout="constrained")
    ax.imshow(canvas, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([(side + 2) * (r + 0.5) for r in range(rows)] if labels else [])
    if labels:
        ax.set_yticklabels(labels[:rows], fontsize=8)
        ax.tick_params(length=0)
    ax.set_title(spec["title"], fontsize=9)
    return fig


FIGURES = {"image_grid": image_grid, "training": training}
