"""The long fuzz run: many mutants of a valid file of every kind ganvis reads; every one must
load or be refused with ganvis's own error (anything else is a bug and stops the run).

    python scripts/fuzz_loaders.py [--cases 2000] [--seed 0]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from ganvis_dev.fuzzing import fuzz, sample_files


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=2000, help="mutants per kind of file")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        files = sample_files(Path(tmp))
        print("| file | mutants | loaded | refused (our error) | seconds |\n|---|---|---|---|---|")
        for name, (valid, load) in files.items():
            scratch = Path(tmp) / name.replace(" ", "_").replace("(", "").replace(")", "")
            scratch.mkdir()
            t0 = time.perf_counter()
            out = fuzz(load, valid, args.cases, seed=args.seed, scratch=scratch)
            print(f"| {name} | {args.cases} | {out['loaded']} | {out['refused']} | "
                  f"{time.perf_counter() - t0:.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
