"""python3 -m esvgd.plot RUN_DIR [--format png pdf]: (re)draws a run's figures."""
import argparse
import sys


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m esvgd.plot", description=__doc__)
    parser.add_argument("run_dir")
    parser.add_argument("--format", nargs="+", default=["png", "pdf"], choices=["png", "pdf", "svg"])
    args = parser.parse_args(argv)
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print("esvgd.plot: matplotlib is not installed (Debian: python3-matplotlib)", file=sys.stderr)
        return 3
    from . import draw
    try:
        written = draw(args.run_dir, tuple(args.format))
    except (OSError, ValueError, KeyError) as e:
        print(f"esvgd.plot: {args.run_dir}: {e}", file=sys.stderr)
        return 1
    print(f"esvgd.plot: {len(written)} files written in {args.run_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
