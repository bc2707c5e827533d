"""Runs side by side: records read from real run files, the CSV of their series, and the view
that overlays them."""

import csv
import math

import numpy as np
import pytest

from ganvis.engine import ModelFileError, RunConfig, new_run
from ganvis.engine.store import save_run
from ganvis.engine.store.compare import differing, live_run, read_run, write_csv


def _run(lr):
    run = new_run(RunConfig(model="gan", width=16, depth=1, batch_size=8, device="cpu",
                            metrics_every=0, lr_g=lr, lr_d=lr))
    for _ in range(3):
        run.train_steps(2)
        run.snapshot()
    return run


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("runs")
    out = []
    for name, lr in (("slow.h5", 1e-4), ("fast.h5", 5e-4)):
        run = _run(lr)
        save_run(run, folder / name)
        out.append((run, folder / name))
    return out


def test_record_holds_what_the_run_holds(files):
    for run, path in files:
        rec = read_run(path)
        assert rec.name == path.name and rec.config == run.config
        assert (rec.step, rec.images_seen) == (run.step, run.images_seen)
        assert rec.elapsed == pytest.approx(run.elapsed)
        assert rec.title == "MLP GAN (Goodfellow et al.)" and rec.data == "mnist5k"
        for k in ("step", "d_loss", "g_loss", "d_real", "d_fake"):
            assert rec.history[k].tolist() == run.history[k]
        assert len(rec.history["step"]) == 3
        assert "recon_loss" not in rec.history  # a GAN records none
        assert rec.metrics == {}  # metrics_every=0: never measured


def test_only_differing_settings_are_shown(files):
    a, b = (read_run(p) for _, p in files)
    assert differing([a, b]) == ["lr_g", "lr_d"]
    assert a.setting("lr_g") == "0.0001" and b.setting("lr_d") == "0.0005"
    one = differing([a])
    assert {"lr_g", "batch_size", "seed", "depth"} <= set(one)
    assert "likelihood" not in one and "pack" not in one  # nothing for a GAN


def test_csv_round_trips(files, tmp_path):
    recs = [read_run(p) for _, p in files]
    live = live_run("now", recs[0].config, {"step": [1, 2], "d_loss": [0.5, math.nan],
                                            "recon_loss": [math.nan, math.nan]},
                    metrics={"step": [2], "fcd": [12.5]})
    path = write_csv([*recs, live], tmp_path / "runs.csv")
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["run", "series", "step", "value"]
    for run, p in files:
        for k in ("d_loss", "g_loss", "d_real", "d_fake", "elapsed"):
            got = [(float(r["step"]), float(r["value"])) for r in rows
                   if r["run"] == p.name and r["series"] == k]
            assert got == list(zip(run.history["step"], run.history[k]))
    mine = [(r["series"], r["step"], float(r["value"])) for r in rows if r["run"] == "now"]
    assert mine == [("d_loss", "1", 0.5), ("fcd", "2", 12.5)]  # NaN left out
    assert not list(tmp_path.glob(".*.tmp"))


def test_damaged_file_gives_one_line(tmp_path, files):
    bad = tmp_path / "bad.h5"
    bad.write_bytes(files[0][1].read_bytes()[:3000])
    for path in (bad, tmp_path / "none.h5"):
        with pytest.raises(ModelFileError) as e:
            read_run(path)
        assert path.name in str(e.value) and "\n" not in str(e.value)


def test_view_overlays_runs(qtbot, files, tmp_path):
    from PySide6.QtWidgets import QMessageBox

    from ganvis.app.views.compare import CompareView

    view = CompareView()
    qtbot.addWidget(view)
    view.show()
    assert view.add_file(files[0][1]) and view.add_file(files[1][1])
    assert not view.add_file(files[1][1])  # the same file again: not twice
    t = view.table
    heads = [t.horizontalHeaderItem(j).text() for j in range(t.columnCount())]
    assert t.rowCount() == 2
    assert heads == ["", "file", "model", "data", "step", "trained", "lr G", "lr D"]
    assert [t.item(i, 1).text() for i in range(2)] == ["slow.h5", "fast.h5"]
    assert t.item(1, heads.index("lr G")).text() == "0.0005"
    assert {k: len(v) for k, v in view.curves.items()} == {
        "d_loss": 2, "g_loss": 2, "d_real": 2, "d_fake": 2}
    y = view.curves["d_loss"][1].getData()[1]
    assert np.allclose(y, files[1][0].history["d_loss"])
    assert view.plots["loss"].isVisible() and not view.plots["fcd"].isVisible()
    assert view.plots["loss"].getPlotItem().getAxis("left").labelText == "D and G loss"
    assert view.plots["loss"].getPlotItem().getAxis("bottom").labelText == "step"

    bad = tmp_path / "bad.h5"
    bad.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 100)
    assert not view.add_file(bad)
    boxes = [b for b in view.findChildren(QMessageBox) if b.isVisible()]
    assert len(boxes) == 1 and "bad.h5" in boxes[0].text()
    assert "\n" not in boxes[0].text() and "Traceback" not in boxes[0].text()
    assert t.rowCount() == 2 and len(view.curves["d_loss"]) == 2

    assert view.export_csv(tmp_path / "v.csv")
    with open(tmp_path / "v.csv", newline="") as f:
        assert {r["run"] for r in csv.DictReader(f)} == {"slow.h5", "fast.h5"}

    t.selectRow(0)
    view.remove_button.click()
    assert t.rowCount() == 1 and len(view.curves["d_loss"]) == 1
    assert "lr G" in [t.horizontalHeaderItem(j).text() for j in range(t.columnCount())]


def test_view_takes_the_live_run_once(qtbot):
    from ganvis.app.views.compare import CompareView, thin

    view = CompareView()
    qtbot.addWidget(view)
    cfg = RunConfig(model="ae", width=16, batch_size=8, device="cpu")
    n = 50_000
    hist = {"step": list(range(1, n + 1)), "recon_loss": np.linspace(1, 0, n).tolist()}
    view.add_live("current run", cfg, hist, {"step": [10, 20], "fcd": [30.0, 20.0]}, 65.0)
    view.add_live("current run", cfg, hist, {"step": [10, 20, 30], "fcd": [30, 20, 15.0]})
    assert view.table.rowCount() == 1 and view.table.item(0, 4).text() == "50,000"
    assert set(view.curves) == {"recon_loss", "fcd"}
    x, y = view.curves["recon_loss"][0].getData()
    assert len(x) <= 2000 and (x[0], x[-1]) == (1, n) and (y.max(), y.min()) == (1, 0)
    assert len(view.curves["fcd"][0].getData()[0]) == 3
    xs, ys = thin(np.arange(10.0), np.r_[np.arange(9.0), np.nan])
    assert len(xs) == 9
