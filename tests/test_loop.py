"""The one training loop: its hooks, its pacing, and that it never changes what is trained."""

import math

import pytest

from ganvis.engine import Hooks, Pacing, RunConfig, TrainingLoop, new_run

SMALL = dict(model="gan", width=16, depth=1, batch_size=8, device="cpu", metrics_every=0)
EVERY_STEP = Pacing(every=0.0, most=0.0, rows=None)


def test_it_steps_calls_each_hook_and_stops_on_request():
    run = new_run(RunConfig(**SMALL))
    calls, steps, snaps = [], [], []

    def stop():
        calls.append(1)
        return len(calls) > 5

    loop = TrainingLoop(run, Hooks(on_step=lambda: steps.append(run.step),
                                   on_snapshot=snaps.append, should_stop=stop), EVERY_STEP)
    assert loop.train(100) == 5 and run.step == 5
    assert steps == [1, 2, 3, 4, 5] and [s.step for s in snaps] == [1, 2, 3, 4, 5]


def test_a_step_limit_ends_it_and_without_on_snapshot_it_only_steps():
    run = new_run(RunConfig(**SMALL))
    assert TrainingLoop(run).train(7) == 7 and run.step == 7
    assert run.history["step"] == [] and len(run.timeline) == 0  # no rows, no snapshots


def test_rows_are_recorded_between_snapshots_and_handed_to_on_row():
    run = new_run(RunConfig(**SMALL))
    rows, snaps = [], []
    # snapshots far apart (the first only after 1,000 s); a row after every step
    loop = TrainingLoop(run, Hooks(on_row=rows.append, on_snapshot=snaps.append),
                        Pacing(every=1000.0, most=1000.0, rows=0.0))
    loop.train(4)
    assert snaps == [] and [r["step"] for r in rows] == [1, 2, 3, 4]
    assert run.history["step"] == [1.0, 2.0, 3.0, 4.0]
    assert all(math.isfinite(r["d_loss"]) for r in rows)
    snap = loop.snapshot()  # taken on demand: nothing new since the last row
    assert snaps == [snap] and snap.step == 4 and math.isnan(snap.d_loss)


def test_snapshots_are_spaced_by_what_they_cost_within_the_budget():
    p = Pacing(every=0.4, budget=0.03, most=2.0)
    assert p.interval(0.0) == 0.4  # cheap: as often as allowed
    assert p.interval(0.03) == pytest.approx(0.97)  # 3% of the time
    assert p.interval(1.0) == 2.0  # dear: capped
    frames = Pacing(every=0.04, budget=0.6, most=0.5, frames=True)  # timed start to start
    assert frames.interval(0.06) == pytest.approx(0.1)  # 60% of each interval
    assert frames.interval(0.01) == 0.04 and frames.interval(1.0) == 0.5
    run = new_run(RunConfig(**SMALL))
    loop = TrainingLoop(run, Hooks(on_snapshot=lambda s: None, extra_cost=lambda: 0.05),
                        Pacing(every=0.0, budget=0.03, most=5.0))
    loop.train(1)  # the first snapshot, then the window's 50 ms redraw spaces the next
    assert loop.interval >= 0.05 * 0.97 / 0.03


def test_the_loop_trains_exactly_what_direct_steps_train():
    a, b = new_run(RunConfig(**SMALL)), new_run(RunConfig(**SMALL))
    a.train_steps(6)
    TrainingLoop(b, Hooks(on_snapshot=lambda s: None), EVERY_STEP).train(6)
    for k in a.nets:
        for (n, p), (_, q) in zip(a.nets[k].state_dict().items(), b.nets[k].state_dict().items()):
            assert p.equal(q), (k, n)

