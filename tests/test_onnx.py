"""ONNX export: every family's generator (and an autoencoder's encoder) runs in onnxruntime
and gives what ganvis's own sampler gives on the same codes, at two batch sizes."""

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from ganvis.cli import main
from ganvis.engine import RunConfig, new_run
from ganvis.engine.store import load_sampler
from ganvis.engine.store.demos import resolve_model
from ganvis.engine.store.onnx_export import export_encoder, export_generator

TOL = 1e-4


def _session(path):
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def _check_generator(sampler, path):
    sess = _session(path)
    names = [i.name for i in sess.get_inputs()]
    assert names == (["z", "digits"] if sampler.conditional else ["z"])
    for n in (1, 37):
        z = sampler.z(n, seed=n)
        feed = {"z": z}
        digits = None
        if sampler.conditional:
            digits = (np.arange(n) * 3) % sampler.num_classes
            feed["digits"] = digits.astype(np.int64)
        got = sess.run(None, feed)[0]
        want = sampler(z, digits)
        if sampler.shape == (2,):
            assert got.shape == (n, 2)
        else:
            assert got.shape == (n, 1, *sampler.shape)
        assert np.abs(got.reshape(want.shape) - want).max() <= TOL


@pytest.mark.parametrize("demo", ["demo-dcgan", "demo-saae", "demo-aae2d"])
def test_each_demo_model_runs_in_onnxruntime(demo, tmp_path):
    sampler = load_sampler(resolve_model(demo))
    out = tmp_path / "g.onnx"
    assert main(["export", demo, "--out", str(out)]) == 0
    _check_generator(sampler, out)
    meta = {p.key: p.value for p in onnx.load(str(out)).metadata_props}
    assert meta["ganvis_model"] == sampler.config.model
    assert meta["ganvis_step"] == str(sampler.step)
    assert meta["opset"] == "18"
    assert '"latent_dim"' in meta["ganvis_config"]


@pytest.mark.parametrize("model", ["gan", "ae", "aae", "gan2d"])
def test_the_other_families_export_too(model, tmp_path):
    run = new_run(RunConfig(model=model, batch_size=8, width=16, device="cpu",
                            metrics_every=0))
    run.train_steps(2)
    sampler = run.sampler()
    export_generator(sampler, tmp_path / "g.onnx")
    _check_generator(sampler, tmp_path / "g.onnx")
    names = [o.name for o in _session(tmp_path / "g.onnx").get_outputs()]
    assert names == (["points"] if model == "gan2d" else ["images"])


def test_the_encoder_exports_as_a_second_graph(tmp_path):
    sampler = load_sampler(resolve_model("demo-saae"))
    gen, enc = tmp_path / "g.onnx", tmp_path / "e.onnx"
    assert main(["export", "demo-saae", "--out", str(gen), "--encoder-out", str(enc)]) == 0
    x = np.random.default_rng(0).uniform(-1, 1, (5, 1, 28, 28)).astype(np.float32)
    got = _session(enc).run(None, {"images": x})[0]
    assert np.abs(got - sampler.encode(x[:, 0])).max() <= TOL
    with pytest.raises(Exception, match="has no encoder"):
        export_encoder(load_sampler(resolve_model("demo-dcgan")), tmp_path / "x.onnx")


def test_export_refuses_clearly(tmp_path, capsys):
    assert main(["export", "demo-dcgan", "--out", str(tmp_path / "no" / "g.onnx")]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert main(["export", "demo-dcgan", "--out", str(tmp_path)]) == 1
    assert "is a folder" in capsys.readouterr().err
    assert main(["export", "demo-dcgan", "--encoder-out", str(tmp_path / "e.onnx"),
                 "--out", str(tmp_path / "g.onnx")]) == 1
    err = capsys.readouterr().err
    assert "has no encoder" in err and "Traceback" not in err
    assert not (tmp_path / "g.onnx").exists()  # refused before anything was written


def test_the_readme_example_runs_with_onnxruntime_alone(tmp_path, monkeypatch, capsys):
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    code = readme.split("With onnxruntime alone:\n\n```python\n", 1)[1].split("```", 1)[0]
    assert len(code.strip().splitlines()) <= 5
    assert main(["export", "demo-dcgan", "--out", str(tmp_path / "G.onnx")]) == 0
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {})
    assert "(16, 1, 28, 28)" in capsys.readouterr().out
