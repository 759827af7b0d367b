"""The figure of a run over several seeds (`esvgd run ... --seeds`): per table, one panel per
column whose rows differ, every seed's value as a point per row, and the mean with its 95 % t
interval as a bar, so that an ordering can be read together with its spread."""
import math

import numpy as np

# Columns that describe the run rather than its result.
DIAGNOSTICS = ("bandwidth", "interacting", "seconds", "resumed_from_epoch", "steps", "threads", "ranks", "ms_per",
               "temperature", "true_")
MAX_PANELS = 9

# Two-sided 97.5 % quantiles of Student's t for 1..30 degrees of freedom (then the normal's).
T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]


def t_quantile(dof: int) -> float:
    return T975[dof - 1] if 1 <= dof <= len(T975) else 1.96


def result_columns(rows: dict) -> list:
    """The columns whose values vary across rows or seeds, diagnostics left out, in name order."""
    columns = sorted({c for stats in rows.values() for c in stats})
    keep = []
    for c in columns:
        if any(d in c for d in DIAGNOSTICS):
            continue
        values = [v for stats in rows.values() if c in stats for v in stats[c]["values"]]
        if len(values) > 1 and np.ptp(values) > 0:
            keep.append(c)
    return keep[:MAX_PANELS]


def seeds_figure(spec):
    import matplotlib.pyplot as plt

    seeds = spec["seeds"]
    tables = {name: t["rows"] for name, t in spec["tables"].items() if len(t["rows"]) > 1}
    if not tables:  # one row: each column against the seed is still worth a look
        tables = {name: t["rows"] for name, t in spec["tables"].items()}
    panels = [(table, column) for table, rows in tables.items() for column in result_columns(rows)]
    if not panels:
        raise ValueError("no column varies over the seeds")
    cols = min(3, len(panels))
    fig, axes = plt.subplots(math.ceil(len(panels) / cols), cols, figsize=(4.2 * cols, 3.2 * math.ceil(len(panels) / cols)),
                             squeeze=False)
    for ax, (table, column) in zip(axes.flat, panels):
        rows = tables[table]
        names = [r for r in rows if column in rows[r]]
        for i, name in enumerate(names):
            v = np.asarray(rows[name][column]["values"], dtype=float)
            jitter = np.linspace(-0.15, 0.15, len(v)) if len(v) > 1 else np.zeros(1)
            ax.scatter(i + jitter, v, s=14, color="tab:blue", alpha=0.7, linewidths=0)
            if len(v) > 1:
                half = t_quantile(len(v) - 1) * v.std(ddof=1) / math.sqrt(len(v))
                ax.errorbar(i + 0.3, v.mean(), yerr=half, fmt="o", color="black", capsize=3, markersize=4)
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels(names or [""], rotation=20, ha="right", fontsize=8)
        # several tables (neutra's targets, say): name the table's last part too
        ax.set_title(column if len(tables) == 1 else f"{table.split('/')[-1]}: {column}", fontsize=9)
    for ax in list(axes.flat)[len(panels):]:
        ax.axis("off")
    fig.suptitle(f"{spec.get('experiment', '')}: {len(seeds)} seeds (points); mean and 95 % t interval (bars)",
                 fontsize=10)
    fig.tight_layout()
    return fig


FIGURES = {"seeds": seeds_figure}
