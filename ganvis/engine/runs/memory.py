"""Out-of-memory handling: recognise the device's allocation failures and turn them into an
error a user can act on (a smaller batch, or another device)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

import torch

from ganvis.engine.errors import OutOfMemoryError

_OOM_TYPES = tuple(t for t in (getattr(torch, "OutOfMemoryError", None),
                               getattr(torch.cuda, "OutOfMemoryError", None)) if t is not None)
_OOM_WORDS = ("out of memory", "can't allocate memory")  # MPS and the CPU allocator say these


def is_out_of_memory(e: BaseException) -> bool:
    if isinstance(e, (OutOfMemoryError, *_OOM_TYPES)):
        return True
    return isinstance(e, RuntimeError) and any(w in str(e).lower() for w in _OOM_WORDS)


def out_of_memory(run, cause: BaseException) -> OutOfMemoryError:
    """Free what the failed step held and describe the way on."""
    for opt in run.opts.values():
        opt.zero_grad(set_to_none=True)
    release_cache(run.device)
    bs = run.config.batch_size
    ways = f"a smaller batch (e.g. {max(1, bs // 2)})"
    if run.device.type != "cpu":
        ways += " or on the CPU"
    first = str(cause).strip().splitlines()[0][:160] if str(cause).strip() else type(cause).__name__
    return OutOfMemoryError(
        f"out of memory on {run.device} at batch size {bs}, step {run.step} ({first}). The run "
        f"keeps every update that finished; go on with {ways}.",
        device=str(run.device), batch_size=bs, step=run.step)


F = TypeVar("F", bound=Callable)


def reports_out_of_memory(method: F) -> F:
    """A Run method whose running out of device memory raises our OutOfMemoryError."""
    @functools.wraps(method)
    def wrapper(run, *args, **kwargs):
        try:
            return method(run, *args, **kwargs)
        except OutOfMemoryError:
            raise
        except Exception as e:
            if is_out_of_memory(e):
                raise out_of_memory(run, e) from None
            raise
    return wrapper  # type: ignore[return-value]


def release_cache(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.empty_cache()
    elif device.type == "mps":
        torch.mps.empty_cache()
