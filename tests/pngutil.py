"""Read the PNGs and GIFs ganvis writes with an independent reader (Qt's image plugins, not
Pillow, which writes them), as numpy arrays for assertions."""

import numpy as np
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QImage, QImageReader


def _grey_or_rgb(image: QImage) -> np.ndarray:
    if image.isGrayscale():
        image = image.convertToFormat(QImage.Format.Format_Grayscale8)
        channels = 1
    else:
        image = image.convertToFormat(QImage.Format.Format_RGB888)
        channels = 3
    h, w = image.height(), image.width()
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(h, image.bytesPerLine())
    px = rows[:, :w * channels].copy()
    return px.reshape(h, w) if channels == 1 else px.reshape(h, w, 3)


def read_png(data: bytes) -> np.ndarray:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    image = QImage.fromData(data, "PNG")
    assert not image.isNull(), "Qt cannot read this PNG"
    return _grey_or_rgb(image)


def read_gif(data: bytes) -> tuple[np.ndarray, list[int]]:
    """Every frame of an animated GIF (n, H, W) and each frame's delay in ms."""
    assert data[:6] == b"GIF89a", "not a GIF89a file"
    buf = QBuffer()
    buf.setData(QByteArray(data))
    buf.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buf, b"gif")
    frames, delays = [], []
    for _ in range(reader.imageCount()):
        image = reader.read()
        assert not image.isNull(), reader.errorString()
        delays.append(reader.nextImageDelay())
        frames.append(_grey_or_rgb(image))
    return np.stack(frames), delays
