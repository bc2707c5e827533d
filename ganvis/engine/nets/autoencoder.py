"""Autoencoder networks: MLP encoder f, decoder g (optionally digit-conditioned), latent D.

The decoder of a supervised AAE receives one-hot(digit) beside z, so z is free to hold only
the style. A Bernoulli decoder outputs logits (pixels are probabilities of being on); its
images are the probabilities mapped to [-1, 1].
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ganvis.engine.config import RunConfig


def _mlp(dims: list[int], act: type[nn.Module]) -> list[nn.Module]:
    layers: list[nn.Module] = []
    for a, b in zip(dims[:-2], dims[1:-1]):
        layers += [nn.Linear(a, b), act()]
    layers.append(nn.Linear(dims[-2], dims[-1]))
    return layers


class Encoder(nn.Module):
    """Images -> `depth` ReLU layers of `width` units -> a latent code (linear output)."""

    def __init__(self, shape: tuple[int, int], width: int, depth: int, latent_dim: int) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(),
                                 *_mlp([shape[0] * shape[1]] + [width] * depth + [latent_dim],
                                       nn.ReLU))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class Decoder(nn.Module):
    """z (+ one-hot digit) -> `depth` ReLU layers -> pixels: tanh (Gaussian) or logits
    (Bernoulli).

    A conditional decoder gets the one-hot digit at every layer, not only the first: the
    digit is then the easiest way to draw a digit, so the encoder has no reason to put it in
    z as well, and z keeps the style only (measured: control accuracy rises markedly)."""

    def __init__(self, shape: tuple[int, int], width: int, depth: int, latent_dim: int,
                 num_classes: int = 0, bernoulli: bool = False) -> None:
        super().__init__()
        self.shape, self.num_classes, self.bernoulli = shape, num_classes, bernoulli
        dims = [latent_dim] + [width] * depth + [shape[0] * shape[1]]
        self.layers = nn.ModuleList(nn.Linear(a + num_classes, b)
                                    for a, b in zip(dims[:-1], dims[1:]))

    def logits(self, z: torch.Tensor, digits: torch.Tensor | None = None) -> torch.Tensor:
        onehot = None
        if self.num_classes:
            if digits is None:
                raise ValueError("this decoder needs a digit for every code")
            onehot = F.one_hot(digits.long(), self.num_classes).to(z.dtype)
        h = z
        for i, layer in enumerate(self.layers):
            if i:
                h = F.relu(h)
            h = layer(h if onehot is None else torch.cat([h, onehot], dim=1))
        return h.view(-1, 1, *self.shape)

    def forward(self, z: torch.Tensor, digits: torch.Tensor | None = None,
                logits: bool = False) -> torch.Tensor:
        """Images in [-1, 1], or (logits=True) the pre-activation the loss is computed on."""
        out = self.logits(z, digits)
        if logits:
            return out
        return torch.sigmoid(out) * 2 - 1 if self.bernoulli else torch.tanh(out)

    def file_names(self, names: list[str]) -> dict[str, str]:
        """This decoder's state names -> the names a run file stores them under. Decoders
        of earlier versions were one Sequential (Linear, ReLU, Linear, ...): net.2i ->
        layers.i; those files are still read (not the conditional ones, built differently)."""
        if not names or not all(k.startswith("net.") for k in names):
            return {k: k for k in names}
        if self.num_classes:
            raise ValueError("this saae was made by an earlier ganvis whose decoder was built "
                             "differently; train it again")
        return {f"layers.{int(k.split('.')[1]) // 2}.{k.split('.', 2)[2]}": k for k in names}

    def recon_loss(self, z: torch.Tensor, x: torch.Tensor,
                   digits: torch.Tensor | None = None) -> torch.Tensor:
        return recon_from_logits(self.logits(z, digits), x, self.bernoulli)


def recon_from_logits(out: torch.Tensor, x: torch.Tensor, bernoulli: bool) -> torch.Tensor:
    """Mean squared error in [-1, 1] (Gaussian), or binary cross-entropy per pixel against the
    0/1 image (Bernoulli)."""
    if bernoulli:
        return F.binary_cross_entropy_with_logits(out, (x > 0).to(out.dtype))
    return F.mse_loss(torch.tanh(out), x)


class LatentDiscriminator(nn.Module):
    """A code -> `depth` LeakyReLU layers -> one logit: is this a prior sample (real) or an
    encoder's code (fake)?

    For the supervised AAE it also sees the image's digit. Matching the prior for every digit
    separately is what makes z carry no digit at all (a code distribution can match the prior
    as a whole while each digit keeps its own corner of it, and then the decoder draws the
    digit z says rather than the digit it is given)."""

    def __init__(self, latent_dim: int, width: int, depth: int, num_classes: int = 0) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.net = nn.Sequential(*_mlp([latent_dim + num_classes] + [width] * depth + [1],
                                       lambda: nn.LeakyReLU(0.2)))

    def forward(self, z: torch.Tensor, digits: torch.Tensor | None = None) -> torch.Tensor:
        if self.num_classes:
            if digits is None:
                raise ValueError("this discriminator needs the digit of every code")
            z = torch.cat([z, F.one_hot(digits.long(), self.num_classes).to(z.dtype)], dim=1)
        return self.net(z).view(-1)


def build_autoencoder(config: RunConfig, shape: tuple[int, int], num_classes: int = 0,
                      bernoulli: bool = False, adversarial: bool = False) -> dict[str, nn.Module]:
    """encoder and decoder (told the digit when num_classes > 0), plus the latent
    discriminator D when the family has an adversary."""
    w, d, k = config.width, config.depth, config.latent_dim
    nets: dict[str, nn.Module] = {
        "encoder": Encoder(shape, w, d, k),
        "decoder": Decoder(shape, w, d, k, num_classes, bernoulli),
    }
    if adversarial:
        nets["D"] = LatentDiscriminator(k, w, d, num_classes)
    return nets
