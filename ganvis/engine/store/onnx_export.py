"""A model's generator (and optionally its encoder) as an ONNX file, for use outside ganvis.

The graph takes `z` (N x latent_dim float32 codes from the model's prior) and, for a supervised
AAE, `digits` (N int64); it gives `images` (N x 1 x H x W in [-1, 1]) or, for a 2-D model,
`points` (N x 2). The batch size is free. The model's config, step, prior and opset are stored
in the file's metadata. torch's ONNX exporter (torch.export based) writes the graph; the file
is written atomically.
"""

from __future__ import annotations

import contextlib
import io
import logging
import warnings
from pathlib import Path

import torch
from torch import nn

from ganvis import __version__
from ganvis.engine.errors import GanvisError
from ganvis.engine.files.atomic import atomic_write_bytes
from ganvis.engine.latent.sampler import Sampler

OPSET = 18
NEEDS = "ONNX export needs the onnx and onnxscript packages (pip install 'ganvis[export]')"


def generator_inputs(sampler: Sampler) -> list[str]:
    return ["z", "digits"] if sampler.conditional else ["z"]


def generator_output(sampler: Sampler) -> str:
    return "points" if sampler.shape == (2,) else "images"


def export_generator(sampler: Sampler, path: str | Path, quiet: bool = True) -> Path:
    """Write the sampler's generator (the weights its samples come from) as ONNX. quiet:
    silence the exporter's progress (process-wide: only where no other thread prints)."""
    z = torch.as_tensor(sampler.z(2, 0)).to(sampler.device)
    args: tuple = (z,)
    if sampler.conditional:
        args += (torch.as_tensor(sampler.default_digits(2), dtype=torch.long,
                                 device=sampler.device),)
    out = generator_output(sampler)
    shape = "N x 2" if out == "points" else f"N x 1 x {sampler.shape[0]} x {sampler.shape[1]}"
    digits = (f"; digits: N int64 in 0..{sampler.num_classes - 1}"
              if sampler.conditional else "")
    meta = _metadata(sampler, "generator", {
        "inputs": f"z: N x {sampler.latent_dim} float32 codes from the "
                  f"{sampler.config.prior} prior{digits}",
        "outputs": f"{out}: {shape} float32" + ("" if out == "points" else " in [-1, 1]"),
    })
    return _export(sampler.G, args, generator_inputs(sampler), out, meta, path, quiet)


def export_encoder(sampler: Sampler, path: str | Path) -> Path:
    """Write an autoencoder's encoder (images -> codes; a supervised AAE's: -> styles)."""
    if sampler.encoder is None:
        raise GanvisError(f"a {sampler.config.model} has no encoder to export")
    h, w = sampler.shape
    x = torch.zeros(2, 1, h, w, device=sampler.device)
    meta = _metadata(sampler, "encoder", {
        "inputs": f"images: N x 1 x {h} x {w} float32 in [-1, 1]",
        "outputs": f"codes: N x {sampler.latent_dim} float32",
    })
    return _export(sampler.encoder, (x,), ["images"], "codes", meta, path)


def _metadata(sampler: Sampler, graph: str, io_text: dict[str, str]) -> dict[str, str]:
    c = sampler.config
    return {"producer": f"ganvis {__version__}", "ganvis_graph": graph,
            "ganvis_model": c.model, "ganvis_step": str(sampler.step),
            "ganvis_prior": c.prior, "ganvis_config": _shareable(c).to_json(),
            "opset": str(OPSET), **io_text}


def _export(net: nn.Module, args: tuple, inputs: list[str], output: str,
            meta: dict[str, str], path: str | Path, quiet: bool = True) -> Path:
    try:
        import onnx
        import onnxscript  # noqa: F401  (torch's exporter needs it)
    except ImportError:
        raise GanvisError(NEEDS) from None
    batch = torch.export.Dim("batch", min=1)
    dynamic = tuple({0: batch} for _ in inputs)  # by position: forward()'s names vary
    try:
        with _quiet() if quiet else contextlib.nullcontext():
            program = torch.onnx.export(
                net, args, input_names=inputs, output_names=[output], dynamic_shapes=dynamic,
                opset_version=OPSET, dynamo=True, external_data=False, verbose=False)
    except Exception as e:  # the exporter's errors are many and internal: say it in a line
        raise GanvisError(f"the ONNX exporter could not convert the {meta['ganvis_graph']} "
                          f"({type(e).__name__}: {str(e).splitlines()[0][:200]})") from None
    model = program.model_proto
    onnx.helper.set_model_props(model, meta)
    return atomic_write_bytes(path, model.SerializeToString())


def _shareable(config):
    """The config without the folders of its data set (a file that travels should not tell
    where the user keeps pictures): a data file or folder by its name only."""
    kind, sep, rest = config.data.partition(":")
    if sep and rest:
        return config.replace(data=f"{kind}:{Path(rest).name}")
    if "/" in config.data or "\\" in config.data:  # a bare path
        return config.replace(data=Path(config.data).name)
    return config


@contextlib.contextmanager
def _quiet():
    """The exporter prints its progress and logs notes about torchvision: keep the CLI and
    the app's terminal clean."""
    logger = logging.getLogger("torch.onnx")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)
