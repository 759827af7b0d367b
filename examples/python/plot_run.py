#!/usr/bin/python3
"""A run from Python and its figures: esvgd.run() runs an experiment (here c4-gaussians, quick preset,
shortened) into a folder and returns its metrics; esvgd.plot.draw() draws the experiment's own
figures there (PNG and PDF); esvgd.plot.load() gives the data behind every figure, for a figure of
your own (here the samplers' mean log π against the step, one line each). Prints "plot_run: OK".

    PYTHONPATH=build/python /usr/bin/python3 examples/python/plot_run.py --out /tmp/c4-run
"""
import argparse
import os

import esvgd
import esvgd.plot


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="c4-run", help="the run folder (default: ./c4-run)")
    args = parser.parse_args()
    metrics = esvgd.run("c4-gaussians", preset="quick", overrides={"svgd.steps": 300}, out=args.out,
                        threads=1, quiet=True, plot=False)
    for row in metrics["metrics"]["samplers"]:
        print(f"{row['sampler']:>28s}: MMD² {row['mmd2']:+.4f}, mean log π {row['mean_log_prob']:.3f}")

    written = esvgd.plot.draw(args.out)  # the experiment's own figures
    print("figures:", ", ".join(os.path.basename(f) for f in written if f.endswith(".png")))

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    trace = esvgd.plot.load(args.out)["log_prob_trace"]  # the data behind one of them
    fig, ax = plt.subplots(figsize=(5, 3.5))
    for row in trace["rows"]:
        ax.plot(row["step"], row["mean_log_prob"], label=row["sampler"])
    ax.axhline(trace["truth_mean_log_prob"], color="k", ls="--", lw=1, label="exact samples")
    ax.set_xlabel("step")
    ax.set_ylabel("mean log π of the particles")
    ax.legend(fontsize=7, loc="lower right")
    mine = os.path.join(args.out, "my_trace.png")
    fig.savefig(mine, dpi=120, bbox_inches="tight")
    print(f"my figure: {mine}")
    ok = os.path.exists(mine) and any(f.endswith("particles.png") for f in written)
    print("plot_run: OK" if ok else "plot_run: FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
