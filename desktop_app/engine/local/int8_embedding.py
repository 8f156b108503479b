"""The token embedding table in int8: one scale per row, rows made float32 as they are looked up.

The table is the largest float32 tensor left once the Linear layers are int8 (SmolVLM-256M:
49280 x 576, 114 MB); in int8 it takes a quarter of that. A lookup reads a few rows, so
dequantizing them costs nothing measurable. A tied output layer is not affected: dynamic
quantization has already given it an int8 weight of its own.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

_ROWS_AT_ONCE = 4096


class Int8Embedding(nn.Module):
    """nn.Embedding's lookup over int8 rows, each with a float32 scale (symmetric, per row)."""

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None) -> None:
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = padding_idx
        self.register_buffer("qweight", torch.zeros(0, dtype=torch.int8))
        self.register_buffer("row_scale", torch.zeros(0, dtype=torch.float32))

    @classmethod
    def from_float(cls, embedding: nn.Embedding) -> Int8Embedding:
        """The int8 copy of `embedding`, quantized row by row."""
        weight = embedding.weight.detach()
        layer = cls(embedding.num_embeddings, embedding.embedding_dim, embedding.padding_idx)
        scale = weight.abs().amax(dim=1).clamp(min=torch.finfo(torch.float32).tiny) / 127.0
        values = torch.empty(weight.shape, dtype=torch.int8)
        for start in range(0, weight.shape[0], _ROWS_AT_ONCE):  # float copies of a few rows only
            rows = slice(start, start + _ROWS_AT_ONCE)
            scaled = torch.round(weight[rows] / scale[rows].unsqueeze(1)).clamp_(-127, 127)
            values[rows] = scaled.to(torch.int8)
        layer.set_weights(values, scale.to(torch.float32))
        return layer

    def set_weights(self, qweight: torch.Tensor, row_scale: torch.Tensor) -> None:
        """Take int8 rows and their scales; ValueError when the shapes do not fit this table."""
        shape = (self.num_embeddings, self.embedding_dim)
        if tuple(qweight.shape) != shape or tuple(row_scale.shape) != shape[:1]:
            raise ValueError(f"int8 embedding of shape {tuple(qweight.shape)}, not {shape}")
        if qweight.dtype != torch.int8 or row_scale.dtype != torch.float32:
            raise ValueError(f"int8 embedding in {qweight.dtype} and {row_scale.dtype}")
        self.qweight = qweight
        self.row_scale = row_scale

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        rows = nn.functional.embedding(input_ids, self.qweight).to(torch.float32)
        return rows * nn.functional.embedding(input_ids, self.row_scale.unsqueeze(1))

    @property
    def weight(self) -> torch.Tensor:
        """The whole table in float32 (a copy): for code that reads it, never for a lookup."""
        return self.qweight.to(torch.float32) * self.row_scale.unsqueeze(1)

    def extra_repr(self) -> str:
        return f"{self.num_embeddings}, {self.embedding_dim}, int8 per row"


def quantize_input_embeddings(model: Any) -> str | None:
    """Replace `model`'s token embedding (a plain nn.Embedding) by an Int8Embedding, in place.

    The name of the replaced module, or None when the model has none such (the first
    IDEFICS's decoupled embedding is left as it is)."""
    getter = getattr(model, "get_input_embeddings", None)
    embedding = getter() if callable(getter) else None
    if type(embedding) is not nn.Embedding:
        return None
    name = next(name for name, module in model.named_modules() if module is embedding)
    model.set_submodule(name, Int8Embedding.from_float(embedding))
    return name
