#!/usr/bin/python3
"""Mean ± standard deviation (and min–max) over seeds of every numeric column of an EBM run's
metrics.json rows, one table row per combination, as markdown.

    scripts/aggregate_seeds.py OUT_SEED1/metrics.json OUT_SEED2/metrics.json ... [--columns a,b,c]

dw4 runs also get near_fraction = 1 − not_near_a_state / samples.
"""
import argparse
import json
import statistics


def rows_by_combination(paths):
    table = {}
    for path in paths:
        with open(path) as f:
            metrics = json.load(f)
        for row in metrics.get("metrics", metrics)["combinations"]:
            row = dict(row)
            if "not_near_a_state" in row and "state_counts" in row:
                samples = row["not_near_a_state"] + sum(row["state_counts"])
                row["near_fraction"] = 1 - row["not_near_a_state"] / samples
            table.setdefault(row["combination"], []).append(row)
    return table


def cell(values):
    if not values:
        return "-"
    mean = statistics.fmean(values)
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{mean:.3g} ± {sd:.2g} ({min(values):.3g}–{max(values):.3g})"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("metrics", nargs="+", help="metrics.json of one run per seed")
    parser.add_argument("--columns", default="near_fraction,states_recovered,tv_to_training,distance_tv,"
                        "energy_gap,interacting_train,interacting_sample,train_seconds")
    args = parser.parse_args()
    columns = args.columns.split(",")
    table = rows_by_combination(args.metrics)
    print(f"{len(args.metrics)} seeds; each cell: mean ± sd (min–max)\n")
    print("| combination | " + " | ".join(columns) + " |")
    print("|---|" + "---|" * len(columns))
    for combination, rows in table.items():
        cells = []
        for c in columns:
            values = [r[c] for r in rows if isinstance(r.get(c), (int, float)) and not isinstance(r.get(c), bool)]
            cells.append(cell(values))
        print(f"| {combination} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
