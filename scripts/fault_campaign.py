"""Inject faults into real runs and report what survived and what was lost.

    python scripts/fault_campaign.py [--trials 12] [--kills 20] [--crashes 6] [--seed 0]

1. NaN/inf written into a random weight at a random step: when it is caught, whether a save
   is refused while diverged, how many steps the rollback loses, and whether training goes on.
2. Out of memory raised at a random step: whether any weight changed, and whether the run goes
   on with half the batch.
3. SIGKILL of a process that saves a run file over and over: the file must always be whole.
4. SIGKILL of the app while it trains (autosave every second): what the next launch restores
   and how many steps were lost (needs PySide6; skipped without it).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import torch

from ganvis.engine import Run, RunConfig, new_run
from ganvis.engine.errors import DivergenceError, ModelFileError, OutOfMemoryError
from ganvis.engine.runs.guard import CHECK_EVERY, KEEP_EVERY
from ganvis.engine.store import load_sampler, save_run

FAMILIES = {
    "gan": dict(model="gan", width=32, depth=2),
    "dcgan": dict(model="dcgan", width=8),
    "aae": dict(model="aae", width=64),
}


def small(model: str, seed: int) -> RunConfig:
    return RunConfig(**FAMILIES[model], device="cpu", seed=seed, metrics_every=0)


def weights(run: Run) -> dict[str, torch.Tensor]:
    return {f"{k}.{n}": p.detach().clone() for k, net in run.nets.items()
            for n, p in net.named_parameters()}


def finite(run: Run) -> bool:
    return all(torch.isfinite(p).all() for net in run.nets.values() for p in net.parameters())


def nan_trials(n: int, rng: random.Random, tmp: Path) -> None:
    print("\n### NaN/inf injected into a weight\n")
    print("| trial | model | injected at step | value | caught at step | save while diverged "
          "| rolled back to | steps lost | trains on after rollback |")
    print("|---|---|---|---|---|---|---|---|---|")
    for t in range(n):
        model = list(FAMILIES)[t % len(FAMILIES)]
        run = new_run(small(model, t))
        at = rng.randint(30, 420)
        run.train_steps(at)
        params = [p for net in run.nets.values() for p in net.parameters()]
        p = rng.choice(params)
        value = rng.choice((float("nan"), float("inf"), -float("inf")))
        at_index = torch.unravel_index(torch.tensor(rng.randrange(p.numel())), p.shape)
        with torch.no_grad():  # by index: convolution weights are channels-last (not a view)
            p[tuple(int(i) for i in at_index)] = value
        caught = None
        try:
            run.train_steps(3 * CHECK_EVERY)
        except DivergenceError:
            caught = run.step
        try:
            save_run(run, tmp / "diverged.h5")
            refused = "WRITTEN"
        except ModelFileError:
            refused = "refused"
        back = run.rollback(0.5) if caught is not None else None
        ok = False
        if back is not None:
            run.train_steps(CHECK_EVERY + 5)
            run.snapshot()
            save_run(run, tmp / "after.h5")
            ok = finite(run) and load_sampler(tmp / "after.h5").step == run.step
        print(f"| {t + 1} | {model} | {at} | {value} | {caught} | {refused} | {back} | "
              f"{at - back if back is not None else '-'} | {'yes' if ok else 'NO'} |", flush=True)


def oom_trials(n: int, rng: random.Random) -> None:
    print("\n### Out of memory raised inside a training step\n")
    print("| trial | model | at step | batch | weights updated before the failure | went on "
          "with batch | steps after |")
    print("|---|---|---|---|---|---|---|")
    state = {"armed": False}
    for t in range(n):
        model = list(FAMILIES)[t % len(FAMILIES)]
        run = new_run(small(model, 100 + t))
        net = run.nets["D"]
        forward = type(net).forward

        def full(self, *args, _forward=forward):
            if state["armed"] and torch.is_grad_enabled():
                raise torch.OutOfMemoryError("CUDA out of memory (injected)")
            return _forward(self, *args)

        type(net).forward = full
        try:
            at = rng.randint(5, 200)
            run.train_steps(at)
            before = weights(run)
            state["armed"] = True
            try:
                run.train_steps(1)
                caught = False
            except OutOfMemoryError:
                caught = True
            state["armed"] = False
            after = weights(run)
            changed = sum(not torch.equal(before[k], after[k]) for k in before)
            half = run.rebuild(batch_size=run.config.batch_size // 2)
            half.train_steps(20)
            went_on = half.config.batch_size if finite(half) and half.step == at + 20 else None
        finally:
            type(net).forward = forward
        print(f"| {t + 1} | {model} | {at} | {run.config.batch_size} | "
              f"{changed if caught else 'not caught'} | {went_on} | 20 |", flush=True)


SAVER = textwrap.dedent("""
    import sys
    from ganvis.engine import RunConfig, new_run
    from ganvis.engine.store import save_run
    run = new_run(RunConfig(model="dcgan", width=8, device="cpu", metrics_every=0))
    run.train_steps(1)
    print("ready", flush=True)
    while True:
        save_run(run, sys.argv[1])
        run.train_steps(1)
""")


def kill_trials(n: int, rng: random.Random, tmp: Path) -> None:
    print("\n### SIGKILL while saving a run file over and over\n")
    whole = absent = broken = 0
    stale = left_after = 0
    spare = new_run(small("dcgan", 0))
    target = tmp / "saving.h5"
    for _ in range(n):
        target.unlink(missing_ok=True)
        for f in tmp.glob(".saving.h5.*.tmp"):
            f.unlink()
        child = subprocess.Popen([sys.executable, "-c", SAVER, str(target)],
                                 stdout=subprocess.PIPE, text=True)
        child.stdout.readline()
        time.sleep(rng.uniform(0.0, 0.6))
        child.send_signal(signal.SIGKILL)
        child.wait()
        if not target.exists():
            absent += 1
        else:
            try:
                load_sampler(target)
                whole += 1
            except Exception:
                broken += 1
        stale += len(list(tmp.glob(".saving.h5.*.tmp")))
        save_run(spare, target)  # the next write of the file clears the killed writer's temp
        left_after += len(list(tmp.glob(".saving.h5.*.tmp")))
    print("| kills | file whole | not written yet | broken | temp files left by the kill | "
          "left after the next save |")
    print("|---|---|---|---|---|---|")
    print(f"| {n} | {whole} | {absent} | {broken} | {stale} | {left_after} |", flush=True)


APP = textwrap.dedent("""
    import sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    from ganvis.app.main_window import MainWindow
    w = MainWindow()
    w.show()
    w.toggle_training()
    def report():  # the training thread's own step (snapshots reach the window less often)
        run = w.session.worker.run
        if run is not None:
            print(run.step, flush=True)
    t = QTimer(); t.timeout.connect(report); t.start(50)
    app.exec()
""")


def crash_trials(n: int, rng: random.Random, tmp: Path) -> None:
    print("\n### SIGKILL of the app while it trains (autosave every 1 s)\n")
    try:
        import PySide6  # noqa: F401
    except ImportError:
        print("(skipped: PySide6 is not installed)")
        return
    from ganvis.engine.store import RunFile

    print("| trial | killed after | step trained | step restored | steps lost | "
          "steps per interval |")
    print("|---|---|---|---|---|---|")
    for t in range(n):
        folder = tmp / f"app{t}"
        folder.mkdir()
        env = {**os.environ, "GANVIS_SETTINGS": str(folder / "settings.ini"),
               "GANVIS_AUTOSAVE_SECONDS": "1", "QT_QPA_PLATFORM": "offscreen"}
        child = subprocess.Popen([sys.executable, "-c", APP], env=env,
                                 stdout=subprocess.PIPE, text=True)
        t0 = time.perf_counter()
        wait = rng.uniform(4.0, 10.0)
        shown = []
        while time.perf_counter() - t0 < wait:
            line = child.stdout.readline()
            if line.strip().isdigit():
                shown.append((time.perf_counter(), int(line)))
        child.send_signal(signal.SIGKILL)
        child.wait()
        auto = folder / "ganvis-autosave.h5"
        with RunFile(auto) as rf:
            restored = rf.counters["step"]
        last = shown[-1][1]
        recent = [s for when, s in shown if when > shown[-1][0] - 1.0]
        per_interval = last - recent[0]
        print(f"| {t + 1} | {wait:.1f} s | {last} | {restored} | {last - restored} | "
              f"{per_interval} |", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=12, help="NaN and out-of-memory injections")
    ap.add_argument("--kills", type=int, default=20, help="kills of a saving process")
    ap.add_argument("--crashes", type=int, default=6, help="kills of the training app")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    torch.set_num_threads(1)
    print(f"Guard: checks every {CHECK_EVERY} steps, keeps a good state every {KEEP_EVERY}.")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        nan_trials(args.trials, rng, tmp)
        oom_trials(args.trials, rng)
        kill_trials(args.kills, rng, tmp)
        crash_trials(args.crashes, rng, tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
