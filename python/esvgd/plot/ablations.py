"""Figures of the Section 3 ablations (ablation-efficiency, ablation-init)."""
import matplotlib.pyplot as plt


def log_prob_curves(spec):
    """Mean log π against steps: regular SVGD at growing N (solid) against equivariant SVGD at the base N (dashed)."""
    fig, ax = plt.subplots(figsize=(7.5, 4.8), layout="constrained")
    colors = plt.get_cmap("tab10")
    for i, row in enumerate(spec["rows"]):
        ax.plot(row["step"], row["mean_log_prob"], color=colors(i % 10), lw=2.2 if row["equivariant"] else 1.2,
                ls="--" if row["equivariant"] else "-", label=row["label"])
    ax.axhline(spec["truth_mean_log_prob"], color="black", lw=1, label="E_π[log π]")
    ax.set_xlabel("SVGD step")
    ax.set_ylabel("mean log π(x_i)")
    ax.set_title(spec["title"])
    ax.legend(fontsize=7, loc="lower right", ncol=2)
    return fig


def final_log_prob_boxplot(spec):
    """Final mean log π and MMD² over random initialisations, one box per sampler."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 4.2), layout="constrained")
    fig.suptitle(spec["title"])
    left.boxplot(spec["final_mean_log_prob"], labels=spec["samplers"])
    left.axhline(spec["truth_mean_log_prob"], color="black", lw=1, label="E_π[log π]")
    left.set_ylabel("final mean log π(x_i)")
    left.legend(fontsize=8, loc="lower right")
    right.boxplot(spec["final_mmd2"], labels=spec["samplers"])
    right.set_ylabel("MMD² to exact samples (unfolded)")
    for ax in (left, right):
        ax.tick_params(axis="x", labelrotation=20, labelsize=8)
    return fig


FIGURES = {"log_prob_curves": log_prob_curves, "final_log_prob_boxplot": final_log_prob_boxplot}
