"""Which device a run trains on: `auto` picks CUDA, then Apple MPS, then the CPU."""

from __future__ import annotations

import torch

from ganvis.engine.errors import ConfigError


def resolve_device(name: str) -> torch.device:
    """`auto` picks CUDA, then Apple MPS, then the CPU; an explicit device must exist."""
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError(f"device {name}: no CUDA GPU is available here; use --device cpu or auto")
    if name == "mps" and not _mps_available():
        raise ConfigError("device mps: Apple's Metal backend is not available; use cpu or auto")
    return torch.device(name)


def _mps_available() -> bool:
    mps = getattr(torch.backends, "mps", None)
    return mps is not None and mps.is_available()


def choices() -> list[tuple[str, str]]:
    """(value, label) of every device this machine can train on, `auto` first."""
    out = [("auto", "auto"), ("cpu", "CPU")]
    if torch.cuda.is_available():
        out += [(f"cuda:{i}", f"CUDA {i}: {torch.cuda.get_device_name(i)}")
                for i in range(torch.cuda.device_count())]
    if _mps_available():
        out.append(("mps", "Apple MPS"))
    return out


def synchronize(device: torch.device) -> None:
    """Wait for the device's queued work (timings must not bill it to the next measurement)."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()
