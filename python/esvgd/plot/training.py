"""The training figure of every contrastive-divergence experiment (jem-c4, ebm-circles, dw4, qm9, fashion-mnist)."""
import matplotlib.pyplot as plt


def training(spec):
    """Per epoch: the loss, mean E(x+) − mean E(x−), the realised sampler steps, and the points within kernel
    reach per chain (kernel samplers only)."""
    fig, axes = plt.subplots(1, 4, figsize=(15, 3.6), layout="constrained")
    fig.suptitle(spec["title"])
    panels = [("loss", "training loss"), ("energy_gap", "mean E(x+) − mean E(x−)"),
              ("sampler_steps", "realised sampler steps per batch"), ("interacting", "points within kernel reach per chain")]
    colors = plt.get_cmap("tab10")
    for i, row in enumerate(spec["rows"]):
        for ax, (key, _) in zip(axes, panels):
            if key == "interacting" and row["langevin"]:
                continue
            ax.plot(row["epoch"], row[key], color=colors(i % 10), lw=1.2, label=row["combination"])
    for ax, (_, title) in zip(axes, panels):
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("epoch")
    axes[0].legend(fontsize=7, loc="best")
    return fig
