"""Safetensors files written and read one tensor at a time, never whole in memory.

`safetensors.safe_open` maps the whole file and hands out views of the mapping: every page
read stays in the process's resident memory until the last view is gone; `save_file` makes
a bytes copy of every tensor before writing. Here each tensor is read into memory of its
own, and written as soon as it is made, so only the tensors kept count. The files follow
the safetensors format (8-byte header length, JSON header, data), so any reader opens them.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

_DTYPES: dict[str, tuple[str, int]] = {
    "BOOL": ("bool", 1),
    "U8": ("uint8", 1),
    "I8": ("int8", 1),
    "I16": ("int16", 2),
    "I32": ("int32", 4),
    "I64": ("int64", 8),
    "F16": ("float16", 2),
    "BF16": ("bfloat16", 2),
    "F32": ("float32", 4),
    "F64": ("float64", 8),
}
"""safetensors dtype: torch dtype and bytes per element."""
_CODES = {name: code for code, (name, _size) in _DTYPES.items()}
_MAX_HEADER = 100 * 2**20


@dataclass(frozen=True)
class TensorSpec:
    """A tensor to write: its name, dtype ('int8', 'float32', ...) and shape, and how to make it.

    `make` is called once, when the tensor's bytes are written.
    """

    name: str
    dtype: str
    shape: tuple[int, ...]
    make: Callable[[], Any]

    @property
    def size(self) -> int:
        """Bytes of data."""
        return math.prod(self.shape) * _DTYPES[_CODES[self.dtype]][1]


def spec_of(name: str, tensor: Any) -> TensorSpec:
    """The spec of a tensor that already exists."""
    dtype = str(tensor.dtype).removeprefix("torch.")
    return TensorSpec(name, dtype, tuple(tensor.shape), lambda: tensor)


def write_tensor_file(path: Path, specs: list[TensorSpec], metadata: dict[str, str]) -> None:
    """Write `specs` to a new safetensors file at `path`, making each tensor in turn."""
    import torch

    header: dict[str, Any] = {"__metadata__": metadata}
    offset = 0
    for spec in specs:
        header[spec.name] = {
            "dtype": _CODES[spec.dtype],
            "shape": list(spec.shape),
            "data_offsets": [offset, offset + spec.size],
        }
        offset += spec.size
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * (-len(encoded) % 8)  # data starts 8-byte aligned, as safetensors writes
    with path.open("xb") as file:
        file.write(len(encoded).to_bytes(8, "little") + encoded)
        for spec in specs:
            tensor = spec.make().detach().contiguous()
            if str(tensor.dtype).removeprefix("torch.") != spec.dtype or (
                tuple(tensor.shape) != spec.shape
            ):
                raise ValueError(f"{spec.name}: made {tensor.dtype} {tuple(tensor.shape)}")
            file.write(tensor.reshape(-1).view(torch.uint8).numpy().data)
            del tensor
        file.flush()
        os.fsync(file.fileno())  # on disk before anything points to it


def check_whole(path: Path) -> None:
    """ValueError unless `path` is a whole safetensors file: a header that parses, and data
    exactly as long as the header says (a truncated or damaged copy is not). The data itself
    is not read: safetensors keeps no checksum of it."""
    with path.open("rb") as file:
        entries, start = _read_header(file)
        end = max((int(entry["data_offsets"][1]) for entry in entries.values()), default=0)
        if end != file.seek(0, 2) - start:
            raise ValueError("the data is not as long as the header says")


def _read_header(file: BinaryIO) -> tuple[dict[str, Any], int]:
    """The tensors' entries and where their data starts; ValueError unless the header parses
    and every tensor's data lies within the file, as long as its dtype and shape make it."""
    length = int.from_bytes(file.read(8), "little")
    if not 0 < length <= _MAX_HEADER:
        raise ValueError("not a safetensors file")
    try:
        entries: dict[str, Any] = json.loads(file.read(length))
        entries.pop("__metadata__", None)
        data_size = file.seek(0, 2) - 8 - length
        for name, entry in entries.items():
            begin, end = (int(offset) for offset in entry["data_offsets"])
            known = _DTYPES.get(entry["dtype"])  # other dtypes (fp8...): their offsets only
            size = end - begin if known is None else math.prod(entry["shape"]) * known[1]
            if not 0 <= begin <= end <= data_size or end - begin != size:
                raise ValueError(f"{name}: offsets do not fit the file")
    except (AttributeError, KeyError, IndexError, TypeError) as error:
        raise ValueError(f"not a safetensors header: {error!r}") from None
    return entries, 8 + length


class TensorFile:
    """An open safetensors file; ValueError when its header does not fit its contents."""

    def __init__(self, path: Path) -> None:
        self._file = path.open("rb")
        try:
            self._entries, self._start = _read_header(self._file)
            self.names = frozenset(self._entries)
            """The names of the stored tensors."""
        except BaseException:
            self._file.close()
            raise

    def get(self, name: str) -> Any:
        """Tensor `name`, in memory of its own."""
        import torch

        entry = self._entries[name]
        dtype = getattr(torch, _DTYPES[entry["dtype"]][0])
        tensor = torch.empty(entry["shape"], dtype=dtype)
        self.read_into(name, tensor)
        return tensor

    def read_into(self, name: str, tensor: Any) -> None:
        """Read tensor `name` into `tensor` (contiguous, of its dtype and shape): no memory
        of its own, none zeroed first."""
        import torch

        entry = self._entries[name]
        dtype = getattr(torch, _DTYPES[entry["dtype"]][0])
        if tensor.dtype != dtype or list(tensor.shape) != list(entry["shape"]):
            raise ValueError(f"{name}: {entry['dtype']} {entry['shape']} read into {tensor.dtype}")
        if not tensor.is_contiguous():
            raise ValueError(f"{name}: read into a tensor that is not contiguous")
        begin, end = entry["data_offsets"]
        if end == begin:
            return
        self._file.seek(self._start + begin)
        data = tensor.reshape(-1).view(torch.uint8).numpy()
        if self._file.readinto(memoryview(data)) != end - begin:
            raise ValueError(f"{name}: the file ends early")

    def dtype_and_shape(self, name: str) -> tuple[str, tuple[int, ...]]:
        """Tensor `name`'s dtype as torch names it ('bfloat16') and its shape, not read."""
        entry = self._entries[name]
        return _DTYPES[entry["dtype"]][0], tuple(entry["shape"])

    def map(self, name: str) -> Any:
        """Tensor `name` as a private (copy-on-write) mapping of the file: only the pages
        that are read become resident, and the kernel may drop them again. For a large
        table of which little is read (a token embedding); the mapping outlives `close`."""
        import mmap

        import torch

        entry = self._entries[name]
        dtype = getattr(torch, _DTYPES[entry["dtype"]][0])
        begin, end = (self._start + offset for offset in entry["data_offsets"])
        if end == begin:
            return torch.empty(entry["shape"], dtype=dtype)
        first = begin - begin % mmap.ALLOCATIONGRANULARITY
        mapped = mmap.mmap(self._file.fileno(), end - first, access=mmap.ACCESS_COPY, offset=first)
        count = (end - begin) // _DTYPES[entry["dtype"]][1]
        return torch.frombuffer(mapped, dtype=dtype, count=count, offset=begin - first).reshape(
            entry["shape"]
        )

    def close(self) -> None:
        """Close the file."""
        self._file.close()

    def __enter__(self) -> TensorFile:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
