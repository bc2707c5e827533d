"""The speed benchmark's parts: the standard loop trains the same networks, the comparison
reports both loops, and `ganvis bench --json` prints the keys the targets name."""

import json

import pytest
import torch

from ganvis.cli import main
from ganvis.engine import new_run
from ganvis.engine.data import load_dataset
from ganvis.engine.devices.threads import on_fresh_thread
from ganvis.engine.runs.standard_loop import StandardLoop, bench_config, compare


@pytest.mark.parametrize("family", ["gan", "dcgan", "aae", "saae"])
def test_the_standard_loop_trains_every_network_and_logs_every_step(family):
    dataset = load_dataset("mnist5k")
    config = bench_config(family, 16, "cpu")
    loop = StandardLoop(new_run(config, dataset).config, dataset)
    before = {f"{k}.{n}": p.detach().clone() for k, net in loop.nets.items()
              for n, p in net.named_parameters()}
    loop.train_steps(3)
    after = {f"{k}.{n}": p for k, net in loop.nets.items() for n, p in net.named_parameters()}
    unchanged = [k for k in before if torch.equal(before[k], after[k])]
    assert not unchanged
    assert len(loop.log) == 3 and all(isinstance(v, float) for v in loop.log[0])
    assert loop.out.getvalue().startswith("[0] ")  # a log line at step 0, as references do


def test_compare_reports_both_loops_alternating():
    row = on_fresh_thread(compare, "gan", 32, "cpu", seconds=0.6, rounds=2)
    assert row.family == "gan" and row.batch == 32 and row.rounds == 2
    assert row.standard_ips > 0 and row.engine_ips > 0 and row.ratio > 0


def test_bench_json_has_the_ratios(capsys):
    rc = main(["bench", "--device", "cpu", "--families", "gan", "--batches", "64", "1024",
               "--seconds", "0.5", "--rounds", "2", "--no-gui", "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["device"] == "cpu" and len(out["rows"]) == 2
    assert out["ratio_b64"] > 0 and out["ratio_b1024"] > 0
    assert "app_speed_share" in out and out["app_speed_share"] is None  # --no-gui


def test_bench_refuses_a_silly_duration(capsys):
    assert main(["bench", "--seconds", "0", "--no-gui"]) == 1
    assert "--seconds" in capsys.readouterr().err


def test_training_threads_default_to_every_core_and_follow_the_setting(monkeypatch):
    import os

    from ganvis.engine.devices.threads import training_threads

    cores = os.cpu_count() or 1
    monkeypatch.delenv("GANVIS_TRAIN_THREADS", raising=False)
    assert training_threads() == cores
    for value, expected in (("1", 1), ("999", cores), ("many", cores), ("0", 1)):
        monkeypatch.setenv("GANVIS_TRAIN_THREADS", value)
        assert training_threads() == expected
    monkeypatch.setenv("GANVIS_TRAIN_THREADS", "1")
    assert on_fresh_thread(torch.get_num_threads) == 1


def test_on_fresh_thread_hands_errors_back():
    def boom():
        raise ValueError("from the other thread")

    with pytest.raises(ValueError, match="other thread"):
        on_fresh_thread(boom)


def test_channels_last_gives_the_plain_layouts_losses():
    """The engine keeps DCGAN channels-last; the same seed in the plain layout must give the
    same first losses and weights up to float rounding."""
    config = bench_config("dcgan", 32, "cpu").replace(width=8)
    fast, plain = new_run(config), new_run(config)
    conv = next(m for m in fast.nets["D"].modules() if isinstance(m, torch.nn.Conv2d))
    assert conv.weight.is_contiguous(memory_format=torch.channels_last)
    for net in plain.nets.values():
        net.to(memory_format=torch.contiguous_format)
    assert next(m for m in plain.nets["D"].modules()
                if isinstance(m, torch.nn.Conv2d)).weight.is_contiguous()
    for run in (fast, plain):
        run.train_steps(3)
        run.snapshot()
    for key in ("d_loss", "g_loss", "d_real", "d_fake"):
        assert fast.history[key] == pytest.approx(plain.history[key], rel=1e-4, abs=1e-5)
    for name, net in fast.nets.items():
        for (k, a), b in zip(net.state_dict().items(), plain.nets[name].state_dict().values()):
            assert torch.allclose(a, b, rtol=1e-3, atol=1e-5), (name, k)
