"""What ganvis writes for other tools and reads from users' own pictures: TensorBoard event
files (read back with TensorBoard's own reader), image folders as data sets (broken and hostile
pictures skipped), and the CLI's progress lines."""

import re
import struct
import time
import zlib

import numpy as np
import pytest
from PIL import Image
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from ganvis.cli import main
from ganvis.engine.data import load_dataset
from ganvis.engine.errors import DataError

TRAIN = ["train", "--model", "gan", "--width", "16", "--depth", "1", "--batch-size", "16"]


def _events(folder):
    ea = EventAccumulator(str(folder), size_guidance={"scalars": 0, "images": 0,
                                                      "histograms": 0})
    ea.Reload()
    return ea


def test_tensorboard_reads_back_the_scalars_images_and_histograms(tmp_path):
    board = tmp_path / "tb"
    assert main(["train", "--model", "dcgan", "--width", "8", "--steps", "30",
                 "--metrics-every", "10", "--out", str(tmp_path / "r.h5"),
                 "--tensorboard", str(board), "--quiet"]) == 0
    ea = _events(board)
    tags = ea.Tags()
    assert {"losses/d_loss", "losses/g_loss", "losses/d_real", "losses/d_fake",
            "quality/fcd", "quality/coverage"} <= set(tags["scalars"])
    d_loss = ea.Scalars("losses/d_loss")
    assert d_loss[-1].step == 30 and all(np.isfinite(e.value) for e in d_loss)
    assert {"D(x)/real", "D(x)/fake"} <= set(tags["histograms"])
    real = ea.Histograms("D(x)/real")[-1].histogram_value
    assert real.num == 256 and 0.0 <= real.min <= real.max <= 1.0
    assert tags["images"] == ["samples"]
    picture = ea.Images("samples")[-1]
    assert picture.step == 30 and picture.width > 28 * 8 and picture.height > 28 * 8


def test_tensorboard_refuses_a_file_in_one_line(tmp_path, capsys):
    f = tmp_path / "file"
    f.write_text("x")
    assert main([*TRAIN, "--steps", "2", "--out", str(tmp_path / "r.h5"),
                 "--tensorboard", str(f)]) == 1
    err = capsys.readouterr().err
    assert "is a file" in err and "Traceback" not in err


def _png_with_header(path, w, h):
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    head = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", head)
                     + chunk(b"IDAT", zlib.compress(b"\0" * 100)) + chunk(b"IEND", b""))


@pytest.fixture
def folder(tmp_path):
    """Two classes of RGB pictures of odd sizes, plus a truncated PNG, a PNG whose header
    claims 100,000 x 100,000 pixels, a JPEG, and a link to a file outside the folder."""
    root = tmp_path / "pictures"
    rng = np.random.default_rng(0)
    for label, name in enumerate(("circle", "square")):
        (root / name).mkdir(parents=True)
        for i in range(6):
            rgb = np.full((30 + i, 40, 3), 60 * label, np.uint8)
            rgb[5:20, 10:25] = rng.integers(100, 256, 3)
            Image.fromarray(rgb).save(root / name / f"{i}.png")
    Image.fromarray(np.full((50, 50), 128, np.uint8)).save(root / "circle" / "photo.jpg")
    good = (root / "circle" / "0.png").read_bytes()
    (root / "circle" / "cut.png").write_bytes(good[:len(good) // 2])
    _png_with_header(root / "square" / "bomb.png", 100_000, 100_000)
    secret = tmp_path / "secret.png"
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(secret)
    (root / "square" / "link.png").symlink_to(secret)
    (root / "square" / "notes.txt").write_text("not a picture")
    return root


def test_an_image_folder_is_a_labelled_data_set_and_bad_pictures_are_skipped(folder):
    ds = load_dataset(f"images:{folder}")
    assert ds.images.shape == (13, 28, 28) and ds.images.dtype == np.float32
    assert -1.0 <= ds.images.min() and ds.images.max() <= 1.0
    assert sorted(np.bincount(ds.labels).tolist()) == [6, 7]  # circle: 6 + the JPEG
    assert "2 classes" in ds.note and "1 unreadable" in ds.note and "1 too large" in ds.note
    assert load_dataset(f"images40:{folder}").image_shape == (40, 40)


def test_an_image_folder_trains_from_the_command_line(folder, tmp_path, capsys):
    out = tmp_path / "r.h5"
    assert main([*TRAIN, "--data", f"images:{folder}", "--image-size", "16", "--steps", "3",
                 "--out", str(out), "--metrics-every", "0"]) == 0
    err = capsys.readouterr().err
    assert "read 13 pictures" in err and "fitted to 16 x 16" in err
    assert main([*TRAIN, "--resume", str(out), "--steps", "2", "--out", str(out)]) == 0
    assert main(["sample", str(out), "--out", str(tmp_path / "s.png")]) == 0


def test_folders_without_pictures_or_labels(tmp_path, capsys):
    flat = tmp_path / "flat"
    flat.mkdir()
    with pytest.raises(DataError, match="no pictures"):
        load_dataset(f"images:{flat}")
    for i in range(3):
        Image.fromarray(np.full((9, 9), i * 50, np.uint8)).save(flat / f"{i}.bmp")
    ds = load_dataset(f"images:{flat}")
    assert ds.labels is None and ds.size == 3 and "no labels" in ds.note
    (flat / "0.bmp").write_bytes(b"BM broken")
    (flat / "1.bmp").write_bytes(b"")
    (flat / "2.bmp").write_bytes(b"")
    with pytest.raises(DataError, match="none of its 3 pictures"):
        load_dataset(f"images:{flat}")
    assert main([*TRAIN, "--data", "mnist5k", "--image-size", "16", "--steps", "1",
                 "--out", str(tmp_path / "r.h5")]) == 1
    assert "--image-size is for a folder" in capsys.readouterr().err


def test_progress_in_a_log_file_is_lines_and_the_summary_adds_up(tmp_path, capsys):
    assert main([*TRAIN, "--steps", "40", "--out", str(tmp_path / "r.h5"),
                 "--metrics-every", "0"]) == 0
    err = capsys.readouterr().err
    assert "\r" not in err
    bars = [line for line in err.splitlines() if line.startswith("step ")]
    assert bars and bars[-1].startswith("step 40/40") and len(bars) <= 11  # every tenth
    m = re.search(r"40 steps in [\d.]+ s \(([\d.]+) steps/s, (\d+) images/s\)", err)
    steps_per_s, images_per_s = float(m.group(1)), int(m.group(2))
    assert images_per_s == pytest.approx(steps_per_s * 16, rel=0.02, abs=8)
    assert "nan" not in err.lower()
    assert main([*TRAIN, "--steps", "5", "--out", str(tmp_path / "q.h5"), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert not [line for line in err.splitlines() if line.startswith("step ")]
    assert "steps in" not in err


def test_a_log_file_gets_a_line_every_tenth_even_after_a_slow_step(capsys, monkeypatch):
    """tqdm's monitor thread lowers a bar's step between lines to 1 after a long silence;
    the log would then get a line per step."""
    from tqdm import tqdm

    from ganvis.cli.progress import Progress

    monkeypatch.setattr(tqdm, "monitor_interval", 0.05)
    bar = Progress(200)
    for i in range(200):
        bar.tick()
        if i == 30:
            time.sleep(0.5)  # the monitor looks at the bar while it is silent
    assert bar.bar.maxinterval == float("inf")  # the monitor never lowers its step
    bar.bar.close()
    lines = [x for x in capsys.readouterr().err.splitlines() if x.startswith("step ")]
    assert len(lines) <= 12, len(lines)


def test_a_tensorboard_writer_that_fails_stops_logging_not_training(tmp_path):
    from ganvis.engine import RunConfig, new_run
    from ganvis.engine.runs.tensorboard import TensorBoardLog

    run = new_run(RunConfig(model="gan", width=16, depth=1, batch_size=8, device="cpu",
                            metrics_every=0))
    run.train_steps(2)
    board = TensorBoardLog(tmp_path / "tb", run.config)

    def gone(*a, **k):
        raise FileNotFoundError(2, "No such file or directory", str(tmp_path / "tb"))

    board.writer.add_scalar = gone
    board.snapshot(run.snapshot())  # would have raised into the training loop
    assert "No such file" in board.failed
    board.row({"step": 3, "d_loss": 1.0})  # off now: nothing more is tried
    board.close()


def test_pictures_of_other_formats_named_png_are_skipped_not_decoded(tmp_path):
    from PIL import Image

    root = tmp_path / "p"
    (root / "a").mkdir(parents=True)
    (root / "b").mkdir()
    (root / ".hidden").mkdir()
    for i in range(3):
        Image.fromarray(np.full((10, 10), 9 * i, np.uint8)).save(root / "a" / f"{i}.png")
        Image.fromarray(np.full((10, 10), 9 * i, np.uint8)).save(root / ".hidden" / f"{i}.png")
    Image.fromarray(np.zeros((16, 16, 3), np.uint8)).save(root / "b" / "icon.png", "ICO")
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(root / "loose.png")
    (root / "a" / "link.png").symlink_to(root / "a" / "0.png")
    ds = load_dataset(f"images:{root}")
    assert ds.size == 3 and ds.num_classes == 1  # class b had only an unreadable picture
    assert "1 unreadable" in ds.note and "1 links not followed" in ds.note
    assert "1 pictures outside the class folders" in ds.note and "1 classes" in ds.note
    for spec in ("images²:" + str(root), "images:"):
        with pytest.raises(DataError):
            load_dataset(spec)


def test_a_long_timeline_gif_is_scaled_down_to_stay_bounded():
    from ganvis.engine.runs import timeline as tl

    t = tl.Timeline()
    for step in range(400):
        t.add(step, np.zeros((64, 28, 28), np.float32))
    top = t.max_gif_scale(8)
    assert 1 <= top < 8
    h, w = t.picture(0, 8).shape
    assert len(t) * h * w * top * top <= tl.MAX_GIF_PIXELS
