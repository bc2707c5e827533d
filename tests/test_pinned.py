"""Same seed, same losses: the first steps of every family, pinned to values recorded before
the engine was restructured (tests/data/first_losses.json). A change that alters training
by more than float rounding fails here. The runs use the settings of that time: no average of
the generator's weights, no augmentation, and the MLP GAN's former learning rate and betas."""

import json
import math
from pathlib import Path

import pytest

from ganvis.engine import RunConfig, new_run

PINNED = json.loads((Path(__file__).parent / "data" / "first_losses.json").read_text())
THEN = {"gan": dict(lr_g=2e-4, lr_d=2e-4, betas_g=(0.5, 0.999), betas_d=(0.5, 0.999))}


def _close(got: float, want: float) -> bool:
    if math.isnan(want):
        return math.isnan(got)
    return math.isclose(got, want, rel_tol=2e-5, abs_tol=1e-6)


def _play(model: str, k: int) -> dict:
    """Two full steps, one D update, one G update, one full step (D and G updates only for
    the families with an adversary), recording a history row after each."""
    run = new_run(RunConfig(model=model, batch_size=16, k_disc=k, device="cpu", metrics_every=0,
                            seed=3, g_ema=0.0, **THEN.get(model, {})))
    rows = []
    run.train_steps(2)
    rows.append(run.record())
    if run.family.adversarial:
        run.step_d(1)
        rows.append(run.record())
        run.step_g(1)
        rows.append(run.record())
    run.train_steps(1)
    rows.append(run.record())
    snap = run.snapshot()
    return {
        "rows": [{k: v for k, v in r.items() if k != "elapsed"} for r in rows],
        "weights": {n: float(sum(p.detach().double().sum() for p in net.parameters()))
                    for n, net in run.nets.items()},
        "images_seen": run.images_seen,
        "counters": [run.step, run.d_steps, run.g_steps],
        "grid_sum": float(snap.grid.astype("float64").sum()),
        "real_probs": float(snap.real_probs.astype("float64").sum()),
        "fake_probs": float(snap.fake_probs.astype("float64").sum()),
    }


@pytest.mark.parametrize("key", sorted(PINNED))
def test_first_steps_match_the_recorded_values(key):
    model, k = key.split("-k")
    got, want = _play(model, int(k)), PINNED[key]
    assert got["counters"] == want["counters"] and got["images_seen"] == want["images_seen"]
    assert len(got["rows"]) == len(want["rows"])
    for g, w in zip(got["rows"], want["rows"]):
        assert g.keys() == w.keys()
        for name in w:
            assert _close(float(g[name]), float(w[name])), (key, name, g[name], w[name])
    assert got["weights"].keys() == want["weights"].keys()
    for name in ("grid_sum", "real_probs", "fake_probs", *(f"w:{n}" for n in want["weights"])):
        g = got["weights"][name[2:]] if name.startswith("w:") else got[name]
        w = want["weights"][name[2:]] if name.startswith("w:") else want[name]
        assert _close(g, w), (key, name, g, w)
