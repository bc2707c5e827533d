"""Devices and processes: picking the device, torch's CPU threads, training on several
processes (torchrun)."""
