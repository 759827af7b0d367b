"""Whole experiments from Python, exactly as `esvgd run` runs them."""
from typing import Any, Dict, Optional

from . import _core


def run(experiment: str, preset: str = "paper", overrides: Optional[Dict[str, Any]] = None, out: str = "",
        seed: int = 42, threads: int = 0, quiet: bool = False, plot: bool = True) -> Dict[str, Any]:
    """Runs an experiment (names: esvgd.experiments()) and returns its metrics as a dict.

    preset: "paper", "quick" or an experiment's own; overrides: config keys -> values
    (`esvgd config <experiment>` lists them), e.g. {"svgd.steps": 200}; out: the run folder
    (default results/<experiment>, written atomically as by the command line); threads: 0 = the
    command line's default; plot: draw the figures (matplotlib) into the folder.
    Raises esvgd.Error with the command line's message when the run fails.
    """
    return _core.run(experiment, preset, dict(overrides or {}), out, seed, threads, quiet, plot)
