"""Figures: the figure data of the experiments drawn by esvgd.plot (PNG and PDF), and its errors."""
import json
import os
import subprocess
import sys

import matplotlib.image
import pytest

import esvgd
import esvgd.plot

SMALL = {"svgd.steps": 10, "metrics.truth_samples": 300, "particles": 20}


@pytest.mark.parametrize("experiment", ["c4-gaussians", "circles", "spheres"])
def test_every_figure_of_the_sampling_experiments_is_drawn(tmp_path, experiment):
    out = str(tmp_path / experiment)
    esvgd.run(experiment, preset="quick", overrides=SMALL, out=out, quiet=True, threads=1, plot=False)
    written = esvgd.plot.draw(out)
    assert sorted(os.path.basename(p) for p in written) == [
        "log_prob_trace.pdf", "log_prob_trace.png", "particles.pdf", "particles.png"]
    image = matplotlib.image.imread(os.path.join(out, "particles.png"))
    assert image.ndim == 3 and image.shape[0] > 500 and image.std() > 0.05  # rows of panels, not a blank page
    assert not [f for f in os.listdir(out) if ".tmp" in f]


@pytest.mark.parametrize("experiment, overrides, figures", [
    ("ablation-efficiency", {"svgd.steps": 10, "metrics.truth_samples": 300, "particles": 5,
                             "regular_multipliers": [1, 2]}, ["log_prob_curves"]),
    ("ablation-init", {"svgd.steps": 10, "metrics.truth_samples": 300, "particles": 5, "repeats": 3},
     ["final_log_prob_boxplot"]),
])
def test_the_ablation_figures_are_drawn(tmp_path, experiment, overrides, figures):
    out = str(tmp_path / experiment)
    esvgd.run(experiment, preset="quick", overrides=overrides, out=out, quiet=True, threads=1, plot=False)
    written = esvgd.plot.draw(out, formats=("png",))
    assert sorted(os.path.basename(p) for p in written) == [f + ".png" for f in figures]
    assert matplotlib.image.imread(written[0]).std() > 0.05


def test_the_neutra_figures_are_drawn(tmp_path):
    out = str(tmp_path / "neutra")
    overrides = {"targets": ["circles", "dw4"], "budget_seconds": 0.2, "train.steps": 10, "hmc.warmup": 5,
                 "hmc.chains": 4, "esvgd.particles": 4, "metrics.samples": 20, "metrics.truth_samples": 200,
                 "dw4.reference_chains": 8, "dw4.reference_transitions": 40, "dw4.reference_starts": 10}
    esvgd.run("neutra", preset="quick", overrides=overrides, out=out, quiet=True, threads=1, plot=False)
    written = esvgd.plot.draw(out, formats=("png",))
    assert sorted(os.path.basename(p) for p in written) == [
        "distances-dw4.png", "neutra_training.png", "particles-circles.png"]
    for path in written:
        assert matplotlib.image.imread(path).std() > 0.05, path


def test_the_module_entry_point_and_its_errors(tmp_path):
    out = str(tmp_path / "run")
    esvgd.run("c4-gaussians", preset="quick", overrides=SMALL, out=out, quiet=True, threads=1, plot=False)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    ok = subprocess.run([sys.executable, "-m", "esvgd.plot", out, "--format", "png"], capture_output=True, text=True, env=env)
    assert ok.returncode == 0 and "2 files written" in ok.stdout, ok.stderr
    spec = os.path.join(out, "figures", "particles.json")
    with open(spec) as f:
        doc = json.load(f)
    doc["figure"] = doc["kind"] = "mystery"  # the kind, when a figure has one, picks the drawing
    with open(os.path.join(out, "figures", "mystery.json"), "w") as f:
        json.dump(doc, f)
    bad = subprocess.run([sys.executable, "-m", "esvgd.plot", out], capture_output=True, text=True, env=env)
    assert bad.returncode == 1 and "no drawing for figure 'mystery'" in bad.stderr


def test_draw_refuses_runs_of_experiments_it_cannot_draw(tmp_path):
    os.makedirs(tmp_path / "figures")
    with open(tmp_path / "metrics.json", "w") as f:
        json.dump({"experiment": "teleportation"}, f)
    with pytest.raises(ValueError, match="no plotting module for experiment 'teleportation'"):
        esvgd.plot.draw(str(tmp_path))


@pytest.mark.parametrize("experiment, overrides, figures", [
    ("jem-c4", {"data.train_per_class": 16, "data.test_per_class": 16}, ["figure9", "training"]),
    ("ebm-circles", {"data.train_points": 64, "data.test_points": 64}, ["figure10", "training"]),
])
def test_the_figures_of_the_toy_energy_models(tmp_path, experiment, overrides, figures):
    out = str(tmp_path / experiment)
    tiny = {"train.epochs": 2, "svgd.steps": 5, "sample.steps": 5, "combinations": ["ebm+svgd", "e-ebm+e-svgd"]}
    esvgd.run(experiment, preset="quick", out=out, quiet=True, threads=1, plot=False, overrides={**tiny, **overrides})
    written = esvgd.plot.draw(out, formats=("png",))
    assert [os.path.basename(p) for p in written] == [f + ".png" for f in figures]
    for path in written:
        assert matplotlib.image.imread(path).std() > 0.05


@pytest.mark.parametrize("experiment, overrides, figures", [
    ("dw4", {"train.epochs": 1, "svgd.steps": 20, "data.copies": 13, "sample.particles": 24, "sample.steps": 30,
             "combinations": ["ebm+svgd", "e-ebm@pair-distances+e-svgd@orbit-matrix"]},
     ["ablation", "energies", "samples", "states", "training"]),
    ("qm9", {"train.epochs": 1, "svgd.steps": 2, "sample.particles": 6, "sample.large_particles": 0, "sample.steps": 2,
             "model.hidden": 8, "model.layers": 1, "combinations": ["e-ebm+e-svgd"]},
     ["distances", "training"]),
    ("fashion-mnist", {"train.epochs": 1, "data.train_subset": 200, "data.test_subset": 100, "sample.steps": 2,
                       "sample.particles": 8, "sample.per_class": 2, "combinations": ["e-ebm+e-svgd"]},
     ["conditional_e-ebm+e-svgd", "data", "negatives_e-ebm+e-svgd", "samples_e-ebm+e-svgd", "training"]),
])
def test_the_figures_of_the_large_experiments(tmp_path, experiment, overrides, figures):
    out = str(tmp_path / experiment)
    esvgd.run(experiment, preset="quick", out=out, quiet=True, threads=1, plot=False, overrides=overrides)
    written = esvgd.plot.draw(out, formats=("png",))
    assert sorted(os.path.basename(p) for p in written) == [f + ".png" for f in figures]
    for path in written:
        assert matplotlib.image.imread(path).std() > 0.02


def test_the_seeds_figure_shows_the_columns_that_vary(tmp_path):
    rows = {"a": {"kl": {"values": [1.0, 2.0, 1.5]}, "bandwidth_train": {"values": [0.1, 0.2, 0.3]},
                  "fixed": {"values": [3.0, 3.0, 3.0]}},
            "b": {"kl": {"values": [2.0, 2.5, 3.0]}, "bandwidth_train": {"values": [0.1, 0.1, 0.1]},
                  "fixed": {"values": [3.0, 3.0, 3.0]}}}
    summary = {"experiment": "jem-c4", "seeds": [1, 2, 3], "tables": {"metrics/combinations": {"rows": rows}}}
    from esvgd.plot.seeds import result_columns
    assert result_columns(rows) == ["kl"]  # diagnostics and constant columns are left out
    os.makedirs(tmp_path / "figures")
    with open(tmp_path / "metrics.json", "w") as f:
        json.dump(summary, f)
    with open(tmp_path / "figures" / "seeds.json", "w") as f:
        json.dump(dict(summary, kind="seeds"), f)
    written = esvgd.plot.draw(str(tmp_path), formats=("png",))
    assert [os.path.basename(p) for p in written] == ["seeds.png"]
    assert matplotlib.image.imread(written[0]).std() > 0.05
