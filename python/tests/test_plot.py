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


def test_the_module_entry_point_and_its_errors(tmp_path):
    out = str(tmp_path / "run")
    esvgd.run("c4-gaussians", preset="quick", overrides=SMALL, out=out, quiet=True, threads=1, plot=False)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    ok = subprocess.run([sys.executable, "-m", "esvgd.plot", out, "--format", "png"], capture_output=True, text=True, env=env)
    assert ok.returncode == 0 and "2 files written" in ok.stdout, ok.stderr
    spec = os.path.join(out, "figures", "particles.json")
    with open(spec) as f:
        doc = json.load(f)
    doc["figure"] = "mystery"
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


def test_the_training_figure_of_a_contrastive_divergence_run(tmp_path):
    out = str(tmp_path / "jem")
    esvgd.run("jem-c4", preset="quick", out=out, quiet=True, threads=1, plot=False,
              overrides={"train.epochs": 2, "svgd.steps": 5, "sample.steps": 5, "data.train_per_class": 16,
                         "data.test_per_class": 16, "combinations": ["ebm+svgd", "e-ebm+e-svgd"]})
    written = esvgd.plot.draw(out, formats=("png",))
    assert [os.path.basename(p) for p in written] == ["training.png"]
    assert matplotlib.image.imread(written[0]).std() > 0.05
