"""`ganvis bench`: training speed of the engine against the standard loop, side by side, plus
the GUI's overhead and the latent sliders' latency (when the app's libraries are installed)."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys

from ganvis.cli.common import positive_int


def add_parser(sub: argparse._SubParsersAction) -> None:
    b = sub.add_parser(
        "bench", help="training speed: engine vs the standard loop, GUI overhead, sliders",
        description="For each model family and batch size, images/s of the standard training "
        "loop (DataLoader, .item() and logging each step) and of ganvis's engine, measured "
        "alternately in this process, with their ratio; then the app's worker against the bare "
        "engine (the GUI's overhead) and the latent sliders' latency.")
    b.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N or mps")
    from ganvis.engine.runs.standard_loop import bench_families

    b.add_argument("--families", nargs="+", choices=bench_families(),
                   default=list(bench_families()))
    b.add_argument("--batches", nargs="+", type=positive_int, default=[64, 1024])
    b.add_argument("--seconds", type=float, default=6.0,
                   help="seconds of timing per family and batch, both loops together (6)")
    b.add_argument("--rounds", type=positive_int, default=6, help="alternations (6)")
    b.add_argument("--no-gui", action="store_true",
                   help="skip the GUI overhead and slider latency (they need PySide6)")
    b.add_argument("--json", action="store_true", help="print one JSON object")
    b.set_defaults(func=run_bench)


def run_bench(args: argparse.Namespace) -> int:
    import torch

    from ganvis.engine import RunConfig
    from ganvis.engine.data import load_dataset
    from ganvis.engine.devices.device import resolve_device
    from ganvis.engine.devices.threads import on_fresh_thread, training_threads
    from ganvis.engine.errors import ConfigError
    from ganvis.engine.runs.standard_loop import bench_config, compare

    if not 0 < args.seconds <= 600:
        raise ConfigError(f"--seconds: expected more than 0 and at most 600, got {args.seconds}")
    device = str(resolve_device(args.device))
    dataset = load_dataset("mnist5k")
    say = (lambda *a: None) if args.json else (lambda *a: print(*a, file=sys.stderr, flush=True))
    # Every contender trains on a fresh thread (engine/devices/threads.py); this one keeps no pool.
    torch.set_num_threads(1)
    say(f"ganvis bench: {device}, torch {torch.__version__}, {training_threads()} threads")
    rows = []
    for family in args.families:
        for batch in args.batches:
            row = on_fresh_thread(compare, family, batch, device, args.seconds, args.rounds,
                                  dataset)
            rows.append(row)
            say(f"  {family:6s} batch {batch:5d}: standard {row.standard_ips:9.0f} img/s, "
                f"engine {row.engine_ips:9.0f} img/s, x{row.ratio:.2f}")
    out = {
        "device": device, "device_name": _device_name(device), "torch": torch.__version__,
        "threads": training_threads(), "cpu_count": os.cpu_count(),
        "platform": platform.platform(), "rows": [r.as_dict() for r in rows],
        "ratio_b64": _ratio(rows, 64), "ratio_b1024": _ratio(rows, 1024),
        "app_speed_share": None, "app_ips": None, "engine_ips": None, "slider": None,
    }
    if not args.no_gui:
        if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY")
                                                     or os.environ.get("WAYLAND_DISPLAY")):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # measure without a screen
        try:
            from ganvis.app.gui_bench import app_speed_share, slider_latency
        except ImportError as e:
            say(f"  GUI overhead and sliders skipped: {e}")
        else:
            default = RunConfig().model  # the model a new user meets
            config = bench_config(default, 64, device).replace(metrics_every=100)
            out.update(app_speed_share(config, seconds=max(1.0, args.seconds),
                                       rounds=args.rounds))
            say(f"  app worker {out['app_ips']:.0f} img/s vs engine {out['engine_ips']:.0f} "
                f"img/s: the app trains at {100 * out['app_speed_share']:.1f}% of its speed")
            out["slider"] = slider_latency(bench_config(default, 64, "cpu"))
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        print(table(out))
    return 0


def _ratio(rows, batch: int) -> float | None:
    """The ratio at that batch of the default model (the one a new user meets, and the one the
    speed targets name: the DCGAN), else of the first family measured."""
    from ganvis.engine import RunConfig  # noqa: PLC0415

    picks = [r for r in rows if r.batch == batch]
    best = [r for r in picks if r.family == RunConfig().model] or picks
    return best[0].ratio if best else None


def _device_name(device: str) -> str:
    import torch

    if device.startswith("cuda"):
        return torch.cuda.get_device_name(torch.device(device))
    return platform.processor() or platform.machine()


def table(out: dict) -> str:
    lines = [f"# {out['device']} ({out['device_name']}), torch {out['torch']}, "
             f"{out['threads']} threads, {out['cpu_count']} cores",
             "| family | batch | standard loop img/s | engine img/s | engine / standard "
             "(median of paired rounds) |",
             "|---|---|---|---|---|"]
    for r in out["rows"]:
        lines.append(f"| {r['family']} | {r['batch']} | {r['standard_ips']:.0f} | "
                     f"{r['engine_ips']:.0f} | {r['ratio']:.2f} |")
    if out["app_speed_share"] is not None:
        lines += ["", "| dcgan, batch 64, metrics on | img/s |", "|---|---|",
                  f"| bare engine (as `ganvis train`) | {out['engine_ips']:.0f} |",
                  f"| app worker, window shown | {out['app_ips']:.0f} |",
                  f"| app / engine (median of paired rounds) | "
                  f"{100 * out['app_speed_share']:.1f}% |",
                  "| each round | " + ", ".join(f"{100 * r:.0f}%" for r in out["app_share_rounds"])
                  + " |"]
    if out["slider"]:
        lines += ["", "| slider (CPU, idle) | p50 ms | p95 ms |", "|---|---|---|"]
        for name, v in out["slider"].items():
            lines.append(f"| {name} | {v['p50_ms']:.1f} | {v['p95_ms']:.1f} |")
    return "\n".join(lines)
