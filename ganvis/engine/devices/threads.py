"""Torch's CPU threads: how many the training thread uses, and running work on a fresh thread.

Under OpenMP the number of threads is a per-thread setting, and a thread pool owned by one
thread slows another thread's pool even while it sits idle (measured on 2 cores: about a
quarter; docs/SPEED.md). So the app's GUI thread keeps one torch thread and trains nowhere,
the training thread uses every core, and the benchmarks time each contender on a fresh thread
(or, against the app's worker, on the worker's own thread).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import TypeVar

import torch

T = TypeVar("T")


def training_threads() -> int:
    """Every core, unless GANVIS_TRAIN_THREADS=N says otherwise."""
    cores = os.cpu_count() or 1
    try:
        n = int(os.environ.get("GANVIS_TRAIN_THREADS", cores))
    except ValueError:
        n = cores
    return max(1, min(n, cores))


def set_training_threads() -> None:
    torch.set_num_threads(training_threads())


def on_fresh_thread(fn: Callable[..., T], *args, **kwargs) -> T:
    """fn(*args, **kwargs) on a new thread set up like the app's training thread; returns its
    result or raises its error here."""
    out: dict = {}

    def body() -> None:
        set_training_threads()
        try:
            out["value"] = fn(*args, **kwargs)
        except BaseException as e:  # handed to the caller's thread below
            out["error"] = e

    t = threading.Thread(target=body, name="ganvis-bench")
    t.start()
    t.join()
    if "error" in out:
        raise out["error"]
    return out["value"]
