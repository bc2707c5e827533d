"""What an HDF5 file must show before ganvis reads a data set from it.

A file can claim what it does not hold and point at what it should not read:
- sizes declared but never written (a data set of a million rows with no data: HDF5 reads the
  fill value, and the reader allocates all of it): the bytes or chunks stored must cover what
  the data set declares;
- decompression bombs (a gzip chunk of a small weight that inflates to a gigabyte inside
  HDF5's filter): every compressed chunk is inflated here first, never past its own size;
- data that lives elsewhere: external storage, virtual data sets and soft or external links
  are refused, so no byte of another file ends up in what ganvis reads (or saves again).
Each check raises UnsafeFile naming the object; callers turn it into their own error.
"""

from __future__ import annotations

import math
import zlib

import h5py
from h5py import h5z

# the filter pipelines h5py writes: an ordered subset of these, each at most once (gzip twice
# would let a chunk inflate past the one layer checked here)
PIPELINE = [h5z.FILTER_SHUFFLE, h5z.FILTER_DEFLATE, h5z.FILTER_FLETCHER32]
MAX_CHUNKS = 1_000_000
MIN_CHUNK_CAP = 16 * 2**20  # a chunk may be larger than its data set up to this


class UnsafeFile(Exception):
    """A file claims what it does not hold, or points outside itself."""


def check_links(group: h5py.Group) -> None:
    """Refuse soft, external and user-defined links anywhere under `group`."""
    found: list[str] = []

    def visit(name: str, link) -> None:
        if not isinstance(link, h5py.HardLink) and not found:
            found.append(f"{name} is a link to elsewhere ({type(link).__name__}); ganvis "
                         "reads only what a file itself holds")

    group.visititems_links(visit)
    if found:
        raise UnsafeFile(found[0])


def check_dataset(ds: h5py.Dataset) -> None:
    """Refuse a data set whose data is elsewhere, is not all there, or inflates past its
    declared size; call it before reading the data set."""
    name = ds.name
    if ds.is_virtual:
        raise UnsafeFile(f"{name} is a virtual data set (its data lives in other files)")
    if ds.external:
        raise UnsafeFile(f"{name} keeps its data in another file (external storage)")
    nbytes = ds.size * ds.dtype.itemsize
    if nbytes == 0:
        return
    plist = ds.id.get_create_plist()
    pipeline = [plist.get_filter(i)[0] for i in range(plist.get_nfilters())]
    filters = set(pipeline)
    if [f for f in PIPELINE if f in filters] != pipeline:  # each once, in h5py's order
        raise UnsafeFile(f"{name} uses filters ganvis does not read (codes {pipeline}); "
                         "only shuffle, gzip and fletcher32, each once, in that order")
    if ds.chunks is None:
        stored = ds.id.get_storage_size()
        if stored < nbytes:
            raise UnsafeFile(f"{name} declares {nbytes:,} bytes but stores {stored:,}")
        return
    chunk_bytes = math.prod(ds.chunks) * ds.dtype.itemsize
    if chunk_bytes > max(nbytes, MIN_CHUNK_CAP):  # HDF5 allocates a whole chunk to read one
        raise UnsafeFile(f"{name} declares chunks of {chunk_bytes:,} bytes for "
                         f"{nbytes:,} bytes of data")
    expected = math.prod(math.ceil(s / c) for s, c in zip(ds.shape, ds.chunks))
    if expected > MAX_CHUNKS:
        raise UnsafeFile(f"{name} declares {expected:,} chunks; ganvis reads at most "
                         f"{MAX_CHUNKS:,}")
    stored = ds.id.get_num_chunks()
    if stored < expected:
        raise UnsafeFile(f"{name} declares {expected:,} chunks of data but stores {stored:,}")
    if h5z.FILTER_DEFLATE in filters:
        skipped = 1 << pipeline.index(h5z.FILTER_DEFLATE)  # its bit in a chunk's filter mask
        for i in range(stored):
            _check_chunk(ds, i, chunk_bytes, skipped)


def _check_chunk(ds: h5py.Dataset, i: int, chunk_bytes: int, skipped: int) -> None:
    info = ds.id.get_chunk_info(i)
    if info.size > chunk_bytes + (chunk_bytes >> 4) + 1024:  # deflate never grows data more
        raise UnsafeFile(f"{ds.name}: chunk {i} stores {info.size:,} bytes for "
                         f"{chunk_bytes:,} of data")
    mask, raw = ds.id.read_direct_chunk(info.chunk_offset)
    if mask & skipped:  # deflate was not applied to this chunk: raw is the data
        inflated = len(raw)
    else:
        z = zlib.decompressobj()
        try:
            out = z.decompress(raw, chunk_bytes + 1)
        except zlib.error as e:
            raise UnsafeFile(f"{ds.name}: chunk {i} is damaged ({e})") from None
        inflated = len(out) + (1 if z.unconsumed_tail else 0)
    if inflated > chunk_bytes:
        raise UnsafeFile(f"{ds.name}: chunk {i} inflates past its {chunk_bytes:,} bytes "
                         "(a decompression bomb)")
