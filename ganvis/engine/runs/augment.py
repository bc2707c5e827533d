"""Differentiable augmentation (Zhao et al. 2020, "DiffAugment"): what D is shown.

The same random transform family is applied to the real and the fake images D judges, in D's
update and in G's, and the transforms are differentiable, so G's gradient flows through them.
D then cannot win by memorising the few thousand real images, and G is never taught to draw
the augmentations (they are applied to both sides alike). Only the image GANs use it; an AAE's
adversary judges codes, not images.

- translation: every image shifted by up to 1/8 of its size in each direction;
- cutout: a square of half the image's size, at a random place in each image, blanked.

Pixels are in [-1, 1] with -1 as the background (black), so what a shift uncovers and what
cutout blanks are set to -1, not to 0 (grey), as digits and clothing on black have it.
"""

from __future__ import annotations

import torch

BACKGROUND = -1.0


def augment(x: torch.Tensor, policy: str, gen: torch.Generator) -> torch.Tensor:
    """x (N, C, H, W) augmented by the policy's transforms, drawing from gen."""
    if policy == "off":
        return x
    for name in policy.split(","):
        x = _TRANSFORMS[name](x, gen)
    return x


def translation(x: torch.Tensor, gen: torch.Generator, ratio: float = 0.125) -> torch.Tensor:
    """Each image shifted by whole pixels, up to ratio of its size each way; what moves in is
    background."""
    n, c, h, w = x.shape
    sh, sw = max(1, int(h * ratio + 0.5)), max(1, int(w * ratio + 0.5))
    dy = torch.randint(-sh, sh + 1, (n, 1, 1), generator=gen, device=x.device)
    dx = torch.randint(-sw, sw + 1, (n, 1, 1), generator=gen, device=x.device)
    rows = (torch.arange(h, device=x.device).view(1, h, 1) + dy + 1).clamp(0, h + 1)
    cols = (torch.arange(w, device=x.device).view(1, 1, w) + dx + 1).clamp(0, w + 1)
    # one gather from the padded images (off the edge: the padding, i.e. background)
    where = (rows * (w + 2) + cols).view(n, 1, h * w).expand(n, c, h * w)
    padded = torch.nn.functional.pad(x, (1, 1, 1, 1), value=BACKGROUND).flatten(2)
    return padded.gather(2, where).view(n, c, h, w)


def cutout(x: torch.Tensor, gen: torch.Generator, ratio: float = 0.5) -> torch.Tensor:
    """A square of ratio of the image's size set to background in each image (it may reach
    past the edge, as in Zhao et al.)."""
    n, _, h, w = x.shape
    ch, cw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    oy = torch.randint(0, h + (1 - ch % 2), (n, 1, 1), generator=gen, device=x.device)
    ox = torch.randint(0, w + (1 - cw % 2), (n, 1, 1), generator=gen, device=x.device)
    rows = torch.arange(h, device=x.device).view(1, h, 1)
    cols = torch.arange(w, device=x.device).view(1, 1, w)
    top, left = oy - ch // 2, ox - cw // 2
    inside = (rows >= top) & (rows < top + ch) & (cols >= left) & (cols < left + cw)
    return torch.where(inside.unsqueeze(1), torch.full_like(x, BACKGROUND), x)


_TRANSFORMS = {"translation": translation, "cutout": cutout}
