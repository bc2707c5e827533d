"""The fault campaign script still runs against the current engine (a short run: a NaN and an
out-of-memory fault in a GAN and a DCGAN, one kill during a save)."""

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "fault_campaign.py"


def test_a_short_campaign_survives_every_fault(tmp_path):
    p = subprocess.run([sys.executable, str(SCRIPT), "--trials", "2", "--kills", "1",
                        "--crashes", "0"], capture_output=True, text=True, timeout=240,
                       cwd=tmp_path)
    assert p.returncode == 0, p.stderr[-3000:]
    rows = [line for line in p.stdout.splitlines() if line.startswith("| 2 | dcgan |")]
    assert len(rows) == 2  # the NaN trial and the out-of-memory trial
    nan_row, oom_row = rows
    assert "| refused |" in nan_row and nan_row.endswith("| yes |")
    assert "| 0 | 32 | 20 |" in oom_row  # no weight changed, went on at batch 32
    assert "| 1 | 1 | 0 | 0 |" in p.stdout or "| 1 | 0 | 1 | 0 |" in p.stdout  # never broken
