"""Training on several processes: `torchrun --nproc_per_node N -m ganvis train ...`.

One process per GPU (or per CPU worker with the gloo backend). Every rank builds the same
networks from the seed, wraps the networks it trains in DistributedDataParallel, draws its
batches from its own shard of the data with its own random stream, and averages gradients
with the others at every update, so the weights stay identical on every rank. Rank 0 alone
prints and writes files; at the end the ranks compare their weights.

Within a step, a network is called through its DDP wrapper only where its gradients are
wanted (G's forward pass, D's in D's update; the AAE's encoder and decoder in reconstruction
and the encoder in the regularisation phase); where a network is only looked through (D in
G's update) its plain module is called, so no rank ever waits for gradients that never come.
"""

from __future__ import annotations

import hashlib
import os

import torch
import torch.distributed as dist

from ganvis.engine.errors import ConfigError, GanvisError


def launched() -> bool:
    """True when started by torchrun (or another launcher) with more than one process."""
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


def rank() -> int:
    return dist.get_rank() if dist.is_available() and dist.is_initialized() else 0


def world_size() -> int:
    return dist.get_world_size() if dist.is_available() and dist.is_initialized() else 1


def active() -> bool:
    return world_size() > 1


def init(device: str) -> str:
    """Join the process group; return the device this rank trains on."""
    if not dist.is_available():
        raise ConfigError("this torch build has no torch.distributed")
    local = int(os.environ.get("LOCAL_RANK", "0"))
    use_cuda = device.startswith("cuda") or (device == "auto" and torch.cuda.is_available())
    if use_cuda:
        if not torch.cuda.is_available():
            raise ConfigError(f"device {device}: no CUDA GPU is available here; use --device cpu")
        if local >= torch.cuda.device_count():
            raise ConfigError(f"local rank {local} has no GPU: {torch.cuda.device_count()} "
                              "visible; start at most that many processes per node")
        torch.cuda.set_device(local)
        device = f"cuda:{local}"
    elif device in ("auto", "mps"):
        device = "cpu"
    if not dist.is_initialized():
        dist.init_process_group("nccl" if use_cuda else "gloo")
    return device


def finish() -> None:
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def all_true(flag: torch.Tensor) -> bool:
    """A boolean every rank agrees on: true only if it is true on every rank (one sync)."""
    t = flag.to(torch.int32).reshape(1)
    if active():
        if dist.get_backend() == "gloo":
            t = t.cpu()
        dist.all_reduce(t, op=dist.ReduceOp.MIN)
    return bool(t.item())


def weights_digest(nets: dict[str, torch.nn.Module]) -> bytes:
    """A digest of the learned weights (batch-norm running statistics are each rank's own
    between DDP's broadcasts from rank 0, whose copy is the one saved)."""
    h = hashlib.sha256()
    for name in sorted(nets):
        for key, t in sorted(nets[name].named_parameters()):
            h.update(key.encode())
            h.update(t.detach().cpu().contiguous().numpy().tobytes())
    return h.digest()


def check_in_step(nets: dict[str, torch.nn.Module], device: torch.device) -> None:
    """Raise unless every rank holds exactly the same weights (the digests travel as plain
    byte tensors: nothing is pickled)."""
    if not active():
        return
    on = torch.device("cpu") if dist.get_backend() == "gloo" else device
    mine = torch.tensor(list(weights_digest(nets)), dtype=torch.uint8, device=on)
    everyone = [torch.empty_like(mine) for _ in range(world_size())]
    dist.all_gather(everyone, mine)
    if any(not torch.equal(d, mine) for d in everyone):
        raise GanvisError("the ranks' weights differ after training: the processes fell out "
                          "of step (please report this)")
