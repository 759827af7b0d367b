"""Figures of esvgd runs, drawn with matplotlib from the data each experiment writes.

A run folder's figures/ holds one <figure>.json per figure; values of the form {"npy": FILE} name
arrays stored beside it (float64 .npy). Each experiment has one module here whose FIGURES maps a
figure name (or the spec's "kind", for figures of one kind with many names, such as image grids) to a
function (spec) -> matplotlib Figure; draw() writes <run>/<figure>.png and .pdf.

    python3 -m esvgd.plot RUN_DIR        (also: esvgd plot RUN_DIR; esvgd run calls it)
"""
import importlib
import json
import os
from typing import Dict, List

import numpy as np

# experiment -> the module of esvgd.plot that draws its figures
MODULES = {"c4-gaussians": "sampling", "circles": "sampling", "spheres": "sampling",
           "ablation-efficiency": "ablations", "ablation-init": "ablations", "jem-c4": "jem_c4",
           "ebm-circles": "ebm_circles", "dw4": "dw4", "qm9": "qm9", "fashion-mnist": "fashion_mnist",
           "neutra": "neutra"}
FORMATS = ("png", "pdf")


def _resolve(value, folder):
    """The figure spec with every {"npy": FILE} replaced by the array it names."""
    if isinstance(value, dict):
        if set(value) == {"npy"}:
            return np.load(os.path.join(folder, value["npy"]))
        return {k: _resolve(v, folder) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, folder) for v in value]
    return value


def load(run_dir: str) -> Dict[str, dict]:
    """Every figure spec of a run, arrays loaded, by figure name."""
    folder = os.path.join(run_dir, "figures")
    specs = {}
    for name in sorted(os.listdir(folder)):
        if name.endswith(".json"):
            with open(os.path.join(folder, name)) as f:
                specs[name[:-5]] = _resolve(json.load(f), folder)
    return specs


def experiment_of(run_dir: str) -> str:
    """The experiment that wrote a run folder (its metrics.json)."""
    with open(os.path.join(run_dir, "metrics.json")) as f:
        return json.load(f)["experiment"]


def _save(fig, path: str):
    """Atomic: a reader never sees half a file."""
    root, ext = os.path.splitext(path)
    tmp = f"{root}.tmp{ext}"
    fig.savefig(tmp, dpi=110, bbox_inches="tight")
    os.replace(tmp, path)


def draw(run_dir: str, formats=FORMATS) -> List[str]:
    """Draws every figure of a run into the run folder; returns the files written."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    experiment = experiment_of(run_dir)
    if experiment not in MODULES:
        raise ValueError(f"esvgd.plot: no plotting module for experiment '{experiment}'")
    # A run over several seeds has the seeds' figure (esvgd.plot.seeds) whatever the experiment.
    figures = {**importlib.import_module(f"{__name__}.{MODULES[experiment]}").FIGURES,
               **importlib.import_module(f"{__name__}.seeds").FIGURES}
    written = []
    for name, spec in load(run_dir).items():
        kind = spec.get("kind", name)
        if kind not in figures:
            raise ValueError(f"esvgd.plot: {experiment} has no drawing for figure '{kind}' (known: {', '.join(figures)})")
        fig = figures[kind](spec)
        for ext in formats:
            path = os.path.join(run_dir, f"{name}.{ext}")
            _save(fig, path)
            written.append(path)
        plt.close(fig)
    return written
