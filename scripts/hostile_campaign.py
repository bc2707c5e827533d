"""Feed ganvis files built to break it, and its command line at its edges, each as a process
of its own under a memory cap and a timeout; report how each ended.

    python scripts/hostile_campaign.py [--memory-gib 4] [--timeout 120] [--only WORDS]

Every case must end with status 1 (2 for a usage error) and one line that names the problem:
no traceback, no crash, within the cap. Afterwards the valid run file the cases were built
from must be byte for byte as it was, and no file ganvis wrote may contain a byte of the
"private key" some cases point at.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from ganvis_dev.hostile import CASES, CLI_CASES, SECRET, Case, base_run  # noqa: E402


def run_case(case: Case, folder: Path, base: Path, cap: int, timeout: float) -> dict:
    argv = case.build(folder, base)
    before = {p: p.stat().st_mtime_ns for p in folder.iterdir() if p.is_file()}

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    t0 = time.perf_counter()
    p = subprocess.Popen([sys.executable, "-m", "ganvis", *argv], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True, preexec_fn=limits,
                         env={**os.environ, "OMP_NUM_THREADS": "1"})
    try:
        err = p.communicate(timeout=timeout)[1]
        timed_out = False
    except subprocess.TimeoutExpired:
        p.kill()
        err = p.communicate()[1]
        timed_out = True
    seconds = time.perf_counter() - t0
    lines = [line for line in err.splitlines() if "error:" in line]
    clean = (not timed_out and p.returncode == case.status and "Traceback" not in err
             and len(lines) == 1 and case.says in lines[0])
    changed = [q.name for q, t in before.items() if q.exists() and q.stat().st_mtime_ns != t]
    written = [q for q in folder.iterdir() if q.is_file() and q not in before]
    leaked = [q.name for q in written if SECRET[:27] in q.read_bytes()]
    return dict(case=case, status=p.returncode, clean=clean, seconds=seconds,
                timed_out=timed_out, line=(lines[0] if lines else err.strip()[-200:]),
                changed=changed, leaked=leaked)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--memory-gib", type=float, default=4.0,
                    help="address-space cap per process (RLIMIT_AS), GiB")
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--only", default="", help="run the cases whose name contains this")
    args = ap.parse_args()
    cap = int(args.memory_gib * 2**30)
    cases = [c for c in CASES + CLI_CASES if args.only in c.name]
    results, worst = [], ("", 0.0)
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        base = base_run(root)
        original = base.read_bytes()
        for i, case in enumerate(cases):
            folder = root / f"case{i}"
            folder.mkdir()
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            r = run_case(case, folder, base, cap, args.timeout)
            after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB, all so far
            if after > before:  # this case is the largest yet
                worst = (case.name, after / 1024)
            results.append(r)
            mark = "ok " if r["clean"] else "BAD"
            print(f"{mark} {case.kind:20} {case.name:45} status {r['status']}  "
                  f"{r['seconds']:5.1f} s  {r['line'][:110]}", flush=True)
        damaged = base.read_bytes() != original
    refused = sum(r["clean"] for r in results)
    changed = sum(bool(r["changed"]) for r in results) + damaged
    leaked = sum(bool(r["leaked"]) for r in results)
    print(f"\n{len(results)} cases under a {args.memory_gib:g} GiB address-space cap and a "
          f"{args.timeout:g} s timeout: {refused} refused cleanly (one line, the right "
          f"status), {len(results) - refused} not; files damaged {changed}; data leaked "
          f"{leaked}; slowest {max((r['seconds'] for r in results), default=0):.1f} s")
    if results:
        print(f"peak resident memory, the worst case ({worst[0]}): {worst[1]:.0f} MiB "
              "(python, torch and ganvis loaded)")
    return 0 if refused == len(results) and not changed and not leaked else 1


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.exit(main())
