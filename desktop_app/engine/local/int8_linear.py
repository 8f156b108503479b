"""Iris's dynamic int8 Linear layers: activations quantized to 8 bits, and the output layer
packed without fbgemm's padding.

`Int8Linear` is torch's dynamic int8 Linear with the activations quantized over the whole
8-bit range where this CPU's kernels allow it. torch's own asks for `reduce_range` (7 bits),
which guards fbgemm's AVX2 kernels against 16-bit saturation of a pair of products
(`vpmaddubsw`); CPUs with VNNI sum in 32 bits. The activations' rounding is the largest error
of an int8 model: with SmolVLM-2.2B's shapes (random weights, 4 of its layers), the logits'
cosine similarity with float32 is 0.9931 with 7 bits and 0.9969 with 8, where per-channel
weight scales gave 0.9942 and per-token activation ranges 0.9941. Weights have one scale per
output channel (`weight_qconfig`): with the MLP outputs rotated (`int8_rotated`), 4 + 4 layers
reach 0.9971 against 0.9963 with one scale per layer; 8-bit activations with 7-bit weights
(which would not saturate either) gave 0.9963 and 7-bit weights 0.9918. `full_range_is_exact`
tries one saturating product once per process and keeps 7 bits where it saturates. Where it
saturates (AVX2 without VNNI), 8-bit activations with 7-bit weights are exact but worse: the
whole SmolVLM-2.2B shape on a 2-core AMD EPYC gave 0.9884 against 0.9916 with 7-bit
activations and 8-bit weights (issue 20). So did 8-bit weights fitted so that no two
neighbours (the pair `vpmaddubsw` adds) pass 128 in magnitude, which makes 8-bit activations
exact there: the scale set by the largest pair doubles the weights' rounding error, and the
whole 2.2B shape gave 0.9922 against 0.9920 (256M: 0.9986 against 0.9987). With 8-bit
activations and 8-bit weights, as VNNI CPUs compute them, the 2.2B shape reaches 0.9954
(`testing.int8_quality.eight_bit_activations`); int8 weights alone cost 0.003 of it, 7-bit
activations alone 0.012 before the rotation. `quantize_linear` makes Iris's int8 layer of any
float32 weight, as torch's `from_float` quantizes it with `weight_qconfig` (both loading
paths use it; `quantize_weight` gives the same values several times faster).

`SplitInt8Linear`, for the output layer:

fbgemm packs an int8 weight in blocks of 512 input features (KCB on AVX2) and pads the last
block with zeros: a layer with 576 inputs (SmolVLM-256M's text model) takes 1024 bytes per
output instead of 576, 1.78 times its int8 size. For the output layer (49280 x 576) that is
21 MB. `SplitInt8Linear` keeps the same int8 values in two packed matrices that need no
padding: the first 512 inputs as they are, and the remaining ones spread over 512 columns,
each output row's tail in one of `groups` column blocks. The tail's product comes from one
more int8 product of a block-diagonal input (the tail repeated once per block):

    y = x[:, :512] W[:, :512]^T + (x_tail placed block-diagonally) W_tail'^T, reshaped

At one token (decode) it is as fast as the padded layer or faster; over many rows (prefill)
the tail's product does `groups` times the work, so it is only used where one row at a time
is the rule: the output layer, which sees only the last position.
"""

from __future__ import annotations

import functools
import warnings
from typing import Any

import torch
from torch import nn
from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear

K_BLOCK = 512
"""fbgemm's block of input features (PackingTraits<int8_t, int32_t>::KCB)."""
SYMMETRIC_STEPS = (127 - (-128)) / 2
"""A symmetric qint8 observer's scale is the largest magnitude over this (torch's formula)."""
WORKSPACE_ELEMENTS = 1 << 22
"""Weight elements quantized at once (16 MB of float32)."""


@functools.cache
def full_range_is_exact() -> bool:
    """Whether this CPU's int8 kernels take 8-bit activations without saturating: one product
    of 64 largest activations and weights, whose pairs overflow 16 bits."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch deprecates quantized tensors
        weight = torch.quantize_per_tensor(torch.full((1, 64), 127.0), 1.0, 0, torch.qint8)
    packed = torch.ops.quantized.linear_prepack(weight, None)
    inputs = torch.full((1, 64), 255.0)
    inputs[0, -1] = 0.0  # the range starts at 0: the other 63 become 255
    found = torch.ops.quantized.linear_dynamic(inputs, packed, reduce_range=False)
    return abs(float(found) - 127.0 * 255.0 * 63) < 1.0


class Int8Linear(DynamicLinear):
    """torch's dynamic int8 Linear, its activations quantized to 8 bits where the kernels
    allow (`full_range_is_exact`), else to 7 as torch's own."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        packed = self._packed_params._packed_params
        out = torch.ops.quantized.linear_dynamic(x, packed, reduce_range=not full_range_is_exact())
        return out if out.dtype == x.dtype else out.to(x.dtype)  # `to` costs 2 us even then

    def _get_name(self) -> str:
        return "Int8Linear"


def quantize_linear(
    weight: torch.Tensor,
    bias: torch.Tensor | None,
    *,
    split: bool = False,
    kind: type[Int8Linear] = Int8Linear,
) -> nn.Module:
    """The `kind` (split: SplitInt8Linear) of a float32 weight (out x in) and bias: the
    weight observed and quantized as torch's `from_float` does, then packed once
    (`from_float` would pack a zero weight of full size first)."""
    qweight = quantize_weight(weight, per_channel=not split)
    if split:
        return SplitInt8Linear(qweight, bias)
    return packed(kind, qweight, bias)


def quantize_weight(weight: torch.Tensor, *, per_channel: bool) -> torch.Tensor:
    """The qint8 tensor torch's weight observer (`weight_qconfig`) and `_quantize_weight` make
    of `weight` (float32 or bfloat16, out x in): symmetric, one scale per output channel or
    one for all, exactly the same values (`WeightQuantizer`)."""
    return WeightQuantizer()(weight, per_channel=per_channel)


class WeightQuantizer:
    """Quantizes weights as torch's observer and kernels do, several times faster: torch's
    per-channel kernel quantizes element by element (SmolVLM-2.2B's 8192 x 2048 layers: 130 ms
    each, 18 ms here). Rows are taken a few at a time into float32 memory kept from one
    weight to the next (new memory of a layer's size costs more in page faults than the
    arithmetic), multiplied by their scale's inverse (in float32, as fbgemm does), rounded
    half to even and clamped."""

    def __init__(self) -> None:
        self._workspace = torch.empty(0)

    def __call__(self, weight: torch.Tensor, *, per_channel: bool) -> torch.Tensor:
        return qint8(*self.values_and_scale(weight, per_channel=per_channel))

    def values_and_scale(
        self, weight: torch.Tensor, *, per_channel: bool
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """The int8 values and the float32 scale (one per row, or one): what `qint8` takes."""
        rows, width = (int(size) for size in weight.shape)
        values = torch.empty((rows, width), dtype=torch.int8)
        scale = torch.empty(rows) if per_channel else _scale(weight.amin(), weight.amax())
        step = max(1, WORKSPACE_ELEMENTS // max(width, 1))
        if self._workspace.numel() < min(rows, step) * width:
            self._workspace = torch.empty(min(rows, step) * width)
        for start in range(0, rows, step):
            source = weight[start : start + step]
            part = self._workspace[: source.numel()].view(source.shape).copy_(source)
            if per_channel:
                part_scale = _scale(part.amin(1), part.amax(1))  # aminmax: 4 times slower
                scale[start : start + step] = part_scale
                part.mul_((1.0 / part_scale).unsqueeze(1))
            else:
                part.mul_(1.0 / scale)
            values[start : start + step] = part.round_().clamp_(-128, 127)
        return values, scale


def qint8(values: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """The symmetric qint8 tensor of int8 `values` (out x in) and their scale: one per output
    channel (1-D) or one for all (0-D). Copies the values."""
    if scale.dim() == 0:
        return torch._make_per_tensor_quantized_tensor(values, float(scale), 0)
    zero_points = torch.zeros(scale.shape, dtype=torch.int64)
    return torch._make_per_channel_quantized_tensor(values, scale.double(), zero_points, 0)


def _scale(low: torch.Tensor, high: torch.Tensor) -> torch.Tensor:
    """A symmetric qint8 observer's scale of values from `low` to `high` (float32)."""
    largest = torch.maximum(-low.float().clamp(max=0.0), high.float().clamp(min=0.0))
    return (largest / SYMMETRIC_STEPS).clamp_(min=torch.finfo(torch.float32).eps)


def weight_qconfig(split: bool = False) -> Any:
    """How a Linear's weight is quantized: one scale per output channel, except for a layer to be
    split (`SplitInt8Linear` spreads rows over column blocks, so they share one scale)."""
    from torch.ao.quantization import default_dynamic_qconfig, per_channel_dynamic_qconfig

    return default_dynamic_qconfig if split else per_channel_dynamic_qconfig


def packed(kind: type[Int8Linear], qweight: torch.Tensor, bias: torch.Tensor | None) -> Any:
    """A `kind` holding `qweight` (qint8, out x in), made 1x1 first: made at full size it
    would pack a zero weight first."""
    layer = kind(1, 1, bias_=bias is not None, dtype=torch.qint8)
    layer.out_features, layer.in_features = (int(size) for size in qweight.shape)
    layer.set_weight_bias(qweight, bias)
    return layer


def pads(in_features: int) -> bool:
    """Whether fbgemm pads a weight with `in_features` inputs and a split would avoid it."""
    return in_features > K_BLOCK and in_features % K_BLOCK != 0


def _groups(tail: int, block: int) -> int:
    """The most column blocks of width block / groups that still hold `tail` inputs."""
    groups = 1
    while block % (groups * 2) == 0 and block // (groups * 2) >= tail:
        groups *= 2
    return groups


class SplitInt8Linear(nn.Module):
    """A dynamic int8 Linear (per-tensor qint8 weight, as quantize_dynamic makes) in two
    packed matrices without padding; the same int8 values as the layer it replaces."""

    def __init__(self, weight: torch.Tensor, bias: torch.Tensor | None) -> None:
        """`weight`: a per-tensor affine qint8 tensor (out_features x in_features)."""
        super().__init__()
        if weight.dtype != torch.qint8 or weight.qscheme() != torch.per_tensor_affine:
            raise ValueError(f"{weight.dtype} {weight.qscheme()} is not split")
        self.out_features, self.in_features = (int(size) for size in weight.shape)
        if not pads(self.in_features):
            raise ValueError(f"{self.in_features} inputs need no split")
        self.scale, self.zero_point = float(weight.q_scale()), int(weight.q_zero_point())
        values = weight.int_repr()
        self.block = K_BLOCK
        self.head = self.in_features // self.block * self.block
        self.tail = self.in_features - self.head
        self.groups = _groups(self.tail, self.block)
        self.rows = -(-self.out_features // self.groups)  # per column block
        main = self._quantized(values[:, : self.head])
        self._main = torch.ops.quantized.linear_prepack(main, bias)
        del main
        spread = torch.full(
            (self.rows * self.groups, self.block // self.groups), self.zero_point, dtype=torch.int8
        )
        spread[: self.out_features, : self.tail] = values[:, self.head :]
        del values
        # Row j * rows + n goes to row n, column block j.
        spread = spread.reshape(self.groups, self.rows, -1).transpose(0, 1).reshape(self.rows, -1)
        self._tail = torch.ops.quantized.linear_prepack(self._quantized(spread), None)
        self._eye = torch.eye(self.groups).unsqueeze(-1)  # not a buffer: never in the cache

    def _quantized(self, values: torch.Tensor) -> torch.Tensor:
        return torch._make_per_tensor_quantized_tensor(
            values.contiguous(), self.scale, self.zero_point
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shape = x.shape
        rows = x.reshape(-1, self.in_features)
        if rows.dtype != torch.float32:
            rows = rows.float()
        count = rows.shape[0]
        seven = not full_range_is_exact()  # as Int8Linear
        out = torch.ops.quantized.linear_dynamic(
            rows[:, : self.head].contiguous(), self._main, reduce_range=seven
        )
        tail = rows[:, self.head :]
        width = self.block // self.groups
        if width > self.tail:
            tail = nn.functional.pad(tail, (0, width - self.tail))
        spread = (tail[:, None, None, :] * self._eye).reshape(count * self.groups, self.block)
        rest = torch.ops.quantized.linear_dynamic(spread, self._tail, reduce_range=seven)
        rest = rest.reshape(count, self.groups * self.rows)[:, : self.out_features]
        return out.add_(rest).reshape(*shape[:-1], self.out_features).to(x.dtype)

    def weight_bias(self) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The whole qint8 weight (a copy) and the float bias, as DynamicLinear's
        `_weight_bias` gives them."""
        main, bias = torch.ops.quantized.linear_unpack(self._main)
        spread = torch.ops.quantized.linear_unpack(self._tail)[0].int_repr()
        spread = spread.reshape(self.rows, self.groups, -1).transpose(0, 1)
        tail = spread.reshape(self.rows * self.groups, -1)[: self.out_features, : self.tail]
        values = torch.cat([main.int_repr(), tail], dim=1)
        return self._quantized(values), bias

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"int8 in {self.head} + {self.groups} x {self.block // self.groups}"
        )


def split_output_layer(model: Any) -> str | None:
    """Replace `model`'s output layer, a dynamic int8 Linear that fbgemm pads, by a
    SplitInt8Linear, in place; its name, or None when there is none such."""
    getter = getattr(model, "get_output_embeddings", None)
    layer = getter() if callable(getter) else None
    if not isinstance(layer, DynamicLinear) or not pads(layer.in_features):
        return None
    weight, bias = layer._weight_bias()
    if weight.dtype != torch.qint8 or weight.qscheme() != torch.per_tensor_affine:
        return None
    name = next(name for name, module in model.named_modules() if module is layer)
    model.set_submodule(name, SplitInt8Linear(weight, bias))
    return name
