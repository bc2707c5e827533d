"""Training runs: the Run every family shares (base.py), the GAN game (gan.py), the
autoencoders' phases (aae.py), the one training loop (loop.py), snapshots (snapshot.py) and a
run's state (state.py); the divergence guard, out-of-memory handling, losses and timeline."""
