"""Figures: every sampling experiment's figure data drawn by esvgd.plot (PNG and PDF), and its errors."""
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
