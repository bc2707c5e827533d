"""A run as one rank of several processes (torchrun): DDP wrappers where gradients are wanted,
this rank's shard of the data, its own random stream (devices/distributed.py joins the group)."""

from __future__ import annotations

from torch.nn.parallel import DistributedDataParallel

from ganvis.engine.data import DeviceData
from ganvis.engine.devices import distributed
from ganvis.engine.runs.base import Run


def distribute(run: Run) -> None:
    """Make `run` train as this process's rank (distributed.init first). Networks nothing
    trains (an averaged G) stay unwrapped; only rank 0 measures."""
    r, n = distributed.rank(), distributed.world_size()
    ids = [run.device.index] if run.device.type == "cuda" else None
    run.train_nets = {k: DistributedDataParallel(net, device_ids=ids)
                      if any(p.requires_grad for p in net.parameters()) else net
                      for k, net in run.nets.items()}
    run.train_data = DeviceData(run.dataset.shard(r, n), run.device)
    run.gen.manual_seed(run.config.seed + 1 + 7919 * r)
    if r:
        run.live.enabled = False
        run.live.silenced = True
