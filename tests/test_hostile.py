"""Files built on purpose (not byte mutations): sizes declared but never written,
decompression bombs, data in other files, attributes of the wrong kind. Each must end in one
line naming the problem, status 1, no traceback, and nothing written."""

import pytest
from ganvis_dev.hostile import CASES, base_run

from ganvis.cli import main


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return base_run(tmp_path_factory.mktemp("base"))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_hostile_file_is_refused_in_one_line(case, base, tmp_path, capsys):
    argv = case.build(tmp_path, base)
    before = {p.name: p.stat().st_size for p in tmp_path.iterdir()}
    assert main(argv) == 1
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    refusal = [line for line in lines if "error:" in line]
    assert len(refusal) == 1 and "Traceback" not in err, err[-2000:]
    assert case.says in refusal[0], refusal[0]
    after = {p.name: p.stat().st_size for p in tmp_path.iterdir()}
    assert after == before  # nothing written, nothing changed


# --- the command line at its edges ----------------------------------------------------------

import os  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

TRAIN = ["train", "--model", "gan", "--width", "16", "--depth", "1", "--batch-size", "8",
         "--metrics-every", "0", "--quiet"]


def _one_line(capsys, says):
    err = capsys.readouterr().err
    assert "Traceback" not in err and says in err, err[-1500:]
    return err


def test_outputs_that_must_not_be_replaced_are_refused_before_training(tmp_path, capsys):
    data = tmp_path / "mine.npz"
    np.savez(data, images=np.zeros((20, 28, 28), np.uint8))
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    dangling = tmp_path / "dangling.h5"
    dangling.symlink_to(tmp_path / "nowhere" / "x.h5")
    cases = [
        (["--out", "/dev/null"], "not a regular file"),
        (["--out", str(fifo)], "not a regular file"),
        (["--out", str(tmp_path)], "is a folder"),
        (["--out", str(dangling)], "leads nowhere"),
        (["--data", f"npz:{data}", "--out", str(data)], "also the data set"),
        (["--out", str(tmp_path / "x.h5"), "--grid", str(tmp_path / "x.h5")], "also the run"),
        (["--out", str(tmp_path / ("n" * 240 + ".h5"))], "file name too long"),
    ]
    for extra, says in cases:
        t0 = time.perf_counter()
        assert main([*TRAIN, "--steps", "100000", *extra]) == 1, extra
        _one_line(capsys, says)
        assert time.perf_counter() - t0 < 20  # refused before training, not after
    assert data.read_bytes()[:2] == b"PK" and fifo.exists() and os.path.exists("/dev/null")


def test_an_output_link_to_a_file_replaces_the_file_not_the_link(tmp_path):
    target = tmp_path / "real.h5"
    target.write_bytes(b"old")
    link = tmp_path / "link.h5"
    link.symlink_to(target)
    assert main([*TRAIN, "--steps", "2", "--out", str(link)]) == 0
    assert link.is_symlink() and target.read_bytes()[:8] == b"\x89HDF\r\n\x1a\n"


def test_a_save_that_fails_after_training_keeps_the_run_beside_it(tmp_path, monkeypatch,
                                                                   capsys):
    import ganvis.engine.store as store
    from ganvis.engine.errors import ModelFileError

    real = store.save_run
    out = tmp_path / "r.h5"

    def failing(run, path, **kw):
        if path == out:
            raise ModelFileError(f"{path}: cannot write (No space left on device)")
        return real(run, path, **kw)

    monkeypatch.setattr(store, "save_run", failing)
    assert main([*TRAIN, "--steps", "3", "--out", str(out)]) == 1
    err = _one_line(capsys, "No space left")
    saved = [p for p in tmp_path.iterdir() if p.name.startswith("ganvis-unsaved-")]
    assert len(saved) == 1 and str(saved[0]) in err and not out.exists()
    assert store.load_sampler(saved[0]).step == 3
    assert not [p for p in tmp_path.iterdir() if ".trial-" in p.name]


def test_a_second_interrupt_during_the_save_waits_for_it(tmp_path, monkeypatch, capsys):
    import ganvis.engine.store as store

    real = store.save_run
    out = tmp_path / "r.h5"

    def interrupted_save(run, path, **kw):
        if path == out:
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C while the file is written
        return real(run, path, **kw)

    monkeypatch.setattr(store, "save_run", interrupted_save)
    assert main([*TRAIN, "--steps", "2", "--out", str(out)]) == 130  # saved, then it stops
    assert "still saving" in capsys.readouterr().err
    assert store.load_sampler(out).step == 2


def _ganvis(args, timeout=120, fsize=None, **kw):
    def limits():
        if fsize is not None:
            import resource

            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past it fails instead
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    return subprocess.run([sys.executable, "-m", "ganvis", *args], capture_output=True,
                          text=True, timeout=timeout, preexec_fn=limits, **kw)


def test_sigterm_and_sighup_save_what_was_trained(tmp_path):
    for sig in (signal.SIGTERM, signal.SIGHUP):
        out = tmp_path / f"{sig.name}.h5"
        p = subprocess.Popen([sys.executable, "-m", "ganvis", *TRAIN, "--steps", "1000000",
                              "--out", str(out)], stderr=subprocess.PIPE, text=True)
        first = p.stderr.readline()  # printed after the trial save, as training starts
        assert first.startswith("ganvis train: gan on"), first
        time.sleep(1)
        p.send_signal(sig)
        err = first + p.communicate(timeout=120)[1]
        assert p.returncode == 130 and "Traceback" not in err, err[-1500:]
        assert out.exists() and f"saved {out}" in err


def test_a_full_disk_during_a_save_leaves_the_old_file_whole(tmp_path, base):
    old = tmp_path / "r.h5"
    old.write_bytes(base.read_bytes())
    r = _ganvis([*TRAIN, "--resume", str(old), "--steps", "2", "--out", str(old)],
                fsize=old.stat().st_size // 2)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr[-1500:]
    assert "cannot write" in r.stderr
    assert old.read_bytes() == base.read_bytes()
    png = tmp_path / "s.png"
    r = _ganvis(["sample", str(old), "--out", str(png)], fsize=1000)
    assert r.returncode == 1 and "Traceback" not in r.stderr and not png.exists(), r.stderr


def test_numbers_and_names_past_their_limits_get_one_line(tmp_path, capsys, base):
    for argv, says in (
        ([*TRAIN, "--seed", str(10**20)], "from 0 to"),
        (["sample", str(base), "--scale", "10000000"], "from 1 to 16"),
        (["sample", str(base), "--cols", "10000000"], "from 1 to 1,024"),
        (["sample", str(base), "--n", "10000000"], "from 1 to 1,000,000"),
        (["eval", str(base), "--n", "10000000"], "from 2 to 100,000"),
    ):
        with pytest.raises(SystemExit) as e:
            main(argv)
        assert e.value.code == 2
        _one_line(capsys, says)
    assert main(["sample", str(base), "--n", "50000"]) == 1
    _one_line(capsys, "at most 10,000 images")
    assert main(["sample", str(base), "--out", str(tmp_path)]) == 1
    _one_line(capsys, "is a folder")
    assert main(["info", "x" * 300 + ".h5"]) == 1
    _one_line(capsys, "error:")


def test_an_interrupt_after_training_but_before_the_save_still_saves(tmp_path, monkeypatch,
                                                                     capsys):
    import ganvis.cli.progress as progress
    from ganvis.engine.store import load_sampler

    real = progress.Progress.finish

    def finish(self, *args):
        os.kill(os.getpid(), signal.SIGTERM)  # the second interrupt, before the save began
        return real(self, *args)

    monkeypatch.setattr(progress.Progress, "finish", finish)
    out = tmp_path / "r.h5"
    assert main([*TRAIN, "--steps", "3", "--out", str(out)]) == 130
    assert "still saving" in capsys.readouterr().err and load_sampler(out).step == 3


def test_an_ignored_sighup_stays_ignored_as_under_nohup():
    from ganvis.cli import stops_as_interrupts

    old = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        with stops_as_interrupts():
            assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
            assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, old)


def test_a_loop_of_links_as_an_output_is_one_line(tmp_path, capsys):
    loop = tmp_path / "loop.png"
    loop.symlink_to(loop)
    assert main(["sample", "demo-aae2d", "--out", str(loop)]) == 1
    _one_line(capsys, "leads nowhere")
    assert main(["sample", "demo-dcgan", "--n", "10000", "--cols", "100", "--scale", "16",
                 "--out", str(tmp_path / "big.png")]) == 1
    _one_line(capsys, "pixels")
