"""One file of named numpy arrays: a JSON header, then each array's bytes, 8-byte aligned.

A segment's side data is one such file, so that Whoosh's own clean-up (which removes every
``<segment id>.*`` file of a dropped segment) removes it too.  Reading memory-maps the file:
opening costs one ``mmap`` and a header parse, whatever the segment's size.
"""

from __future__ import annotations

import json
import mmap
import os
import struct
from pathlib import Path
from typing import Any

import numpy as np

MAGIC = b"GSSEG001"
_ALIGN = 8


def write(path: Path, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
    """Write ``arrays`` and a small JSON ``meta`` to ``path`` (fsynced: it must be complete on
    disk before the commit that names its segment)."""
    entries: dict[str, list[Any]] = {}
    offset = 0
    for name, array in arrays.items():
        array = np.ascontiguousarray(array)
        entries[name] = [array.dtype.str, list(array.shape), offset]
        offset += -(-array.nbytes // _ALIGN) * _ALIGN
    header = json.dumps({"arrays": entries, "meta": meta}, ensure_ascii=False).encode("utf-8")
    head_len = -(-(len(MAGIC) + 8 + len(header)) // _ALIGN) * _ALIGN
    with open(path, "wb") as fh:
        fh.write(MAGIC + struct.pack("<Q", len(header)) + header)
        fh.write(b"\0" * (head_len - len(MAGIC) - 8 - len(header)))
        for array in arrays.values():
            data = np.ascontiguousarray(array).tobytes()
            fh.write(data)
            fh.write(b"\0" * (-len(data) % _ALIGN))
        fh.flush()
        os.fsync(fh.fileno())


class ArrayFile:
    """The arrays of one file, as read-only views of its memory map."""

    def __init__(self, path: Path) -> None:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size < len(MAGIC) + 8:
                raise ValueError(f"{path.name} is truncated")
            self._map: Any = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        if self._map[: len(MAGIC)] != MAGIC:
            raise ValueError(f"{path.name} is not a govsearch segment file")
        (length,) = struct.unpack("<Q", self._map[len(MAGIC) : len(MAGIC) + 8])
        header = json.loads(bytes(self._map[len(MAGIC) + 8 : len(MAGIC) + 8 + length]))
        base = -(-(len(MAGIC) + 8 + length) // _ALIGN) * _ALIGN
        self.meta: dict[str, Any] = header["meta"]
        self.arrays: dict[str, np.ndarray] = {}
        self.starts: dict[str, int] = {}  # where each array's bytes start in the file
        for name, (dtype, shape, offset) in header["arrays"].items():
            self.starts[name] = base + offset
            dt = np.dtype(dtype)
            count = int(np.prod(shape)) if shape else 1
            if base + offset + count * dt.itemsize > size:
                raise ValueError(f"{path.name} is truncated")
            if count == 0:
                self.arrays[name] = np.zeros(shape, dtype=dt)
                continue
            array = np.frombuffer(self._map, dtype=dt, count=count, offset=base + offset)
            self.arrays[name] = array.reshape(shape)
        self.buffer = self._map

    def __getitem__(self, name: str) -> np.ndarray:
        return self.arrays[name]
