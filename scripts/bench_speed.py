"""Training speed, side by side: the engine against the standard loop for every family at
batch 64 and 1024, the GUI's overhead and the latent sliders' latency. The same as
`ganvis bench`; prints a Markdown table (or JSON with --json).

    python scripts/bench_speed.py [--device auto] [--seconds 4] [--json]
"""

from __future__ import annotations

import os
import sys

from ganvis.cli import main

if __name__ == "__main__":
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.exit(main(["bench", *sys.argv[1:]]))
