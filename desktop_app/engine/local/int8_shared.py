"""Sibling int8 Linear layers that read the same input, computed as one product.

fbgemm's dynamic int8 product has a fixed cost of about 40 us a call at one row, however small
the layer (quantizing and packing the input, the kernel's set-up): on a 2-core AMD EPYC, 64 x
576 took 40 us, 576 x 576 48 us and 3072 x 576 73 us. SmolVLM-256M's text model calls 212
of them for each token it writes. An attention's query, key and value projections read the
same hidden states, and so do a gated MLP's gate and up projections: held as one int8 weight
(their rows one after another, each row with its own scale), one product serves the whole
group. The values are the same as the layers' own, since the input is quantized once over the
same range either way and every output column keeps its weights, scale and bias. In the
model, where the weights come from memory rather than the cache, the gain is smaller than the
fixed costs suggest: 122 products a token instead of 212 took SmolVLM-256M's decode from 35.7
to 32.5 ms/token in the benchmark (interleaved in one process: 30.1-30.4 against 32.7-33.1 ms
at the tenth percentile); the first token did not change measurably.

The first layer of a group (`SharedInputInt8Linear`) holds the group's weight; its siblings
(`Int8Share`) ask it for their columns. The first of them called with an input computes the
whole product and keeps it until every layer of the group has taken its columns of that same
input (the same tensor, unchanged); any other call computes it afresh, so a model that feeds
the layers different inputs gets the right values, only more slowly. The backend runs the
model under one lock (`LocalBackend._run_lock`), one forward at a time, which this relies on.
Each layer's output is a view of the product (its columns), not a copy: the attention splits
it into heads by a view anyway, and elementwise operations read it in place. On a 2-core AMD
EPYC, SmolVLM-256M's shape, a 1920x1080 screenshot's encoding and first token took 0.810 s
against 0.830 s with copies, 1.185 s against 1.253 s with a 480-token grounded prompt
(medians of 8, interleaved in one process).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from desktop_app.engine.local.int8_linear import Int8Linear, packed, qint8

GROUPS = (("q_proj", "k_proj", "v_proj"), ("gate_proj", "up_proj"))
"""Siblings (by the last part of their names) that read the same input in the attention and
gated MLP layers of Llama, Mistral, Qwen, Gemma, SigLIP and others."""


class SharedInputInt8Linear(Int8Linear):
    """The first layer of a group: holds the whole group's int8 weight and gives each layer
    of the group its columns of one product (`columns`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bounds: list[tuple[int, int]] = []
        self.kept = _Kept()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.columns(0, x)

    def columns(self, index: int, x: torch.Tensor) -> torch.Tensor:
        """The output of the group's layer `index` for input `x`: a view of the product."""
        kept = self.kept
        version = -1 if x.is_inference() else x._version
        product = kept.product
        if (
            product is None
            or x is not kept.input
            or version != kept.version
            or index in kept.served
        ):
            product = super().forward(x)
            kept.input, kept.version, kept.product, kept.served = x, version, product, set()
        kept.served.add(index)
        if len(kept.served) == len(self.bounds):
            kept.input = kept.product = None  # every layer has its part: keep nothing
        start, stop = self.bounds[index]
        return product[..., start:stop]

    def _get_name(self) -> str:
        return "SharedInputInt8Linear"

    def extra_repr(self) -> str:
        widths = ", ".join(str(stop - start) for start, stop in self.bounds)
        return f"in_features={self.in_features}, out_features={widths} (one product)"


class _Kept:
    """The product a group computed last, for the input it was computed of (its version:
    -1 for inference tensors, which keep none and cannot be changed outside inference mode),
    and which layers have taken their columns. A plain object: setting a Module's
    attributes costs several times more, at every layer of every token."""

    __slots__ = ("input", "product", "served", "version")

    def __init__(self) -> None:
        self.input: torch.Tensor | None = None
        self.version = 0
        self.product: torch.Tensor | None = None
        self.served: set[int] = set()


class Int8Share(nn.Module):
    """A later layer of a group: its columns of the first layer's product."""

    def __init__(self, first: SharedInputInt8Linear, index: int) -> None:
        super().__init__()
        self._first = (first,)  # a tuple: not a submodule, the weight is the first layer's
        self.index = index
        start, stop = first.bounds[index]
        self.in_features, self.out_features = first.in_features, stop - start

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._first[0].columns(self.index, x)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, shared"


def shared_modules(
    names: list[str], weight: torch.Tensor, bias: torch.Tensor | None, widths: list[int]
) -> list[tuple[str, nn.Module]]:
    """The SharedInputInt8Linear and its shares that replace the group `names` (`widths`
    outputs each): `weight` holds their rows one after another (qint8, one scale per output
    channel) and `bias` their biases (or None), packed as they are."""
    first = packed(SharedInputInt8Linear, weight, bias)
    if not isinstance(first, SharedInputInt8Linear):
        raise TypeError(type(first).__name__)
    start = 0
    for width in widths:
        first.bounds.append((start, start + width))
        start += width
    if start != first.out_features:
        raise ValueError(f"{widths} outputs are not {first.out_features}")
    return [(names[0], first)] + [
        (name, Int8Share(first, index)) for index, name in enumerate(names[1:], start=1)
    ]


def joined(
    layers: list[tuple[torch.Tensor, torch.Tensor | None]],
) -> tuple[torch.Tensor, torch.Tensor | None] | None:
    """One qint8 weight and bias of a group's weights and biases (rows one after another;
    zeros for a layer without a bias), copied; None unless every weight has one scale per
    output channel."""
    if any(weight.qscheme() != torch.per_channel_affine for weight, _ in layers):
        return None
    values = torch.cat([weight.int_repr() for weight, _ in layers])
    scales = torch.cat([weight.q_per_channel_scales().float() for weight, _ in layers])
    rows = [int(weight.shape[0]) for weight, _ in layers]
    return qint8(values, scales), joined_bias([bias for _, bias in layers], rows)


def joined_bias(biases: list[torch.Tensor | None], rows: list[int]) -> torch.Tensor | None:
    """The float bias of a group whose layers have `biases` (None: that layer has none) and
    `rows` outputs each: zeros for a layer without one; None where none has one."""
    if all(bias is None for bias in biases):
        return None
    return torch.cat(
        [
            torch.zeros(count) if bias is None else bias.detach().float()
            for bias, count in zip(biases, rows, strict=True)
        ]
    )


def shared_groups(layers: dict[str, tuple[int, int]]) -> list[list[str]]:
    """The groups (`GROUPS`: one parent, the same number of inputs) among `layers`, plain
    int8 layers by name with their (out, in) shapes."""
    groups = []
    for name, (_, inputs) in layers.items():
        parent, _, last = name.rpartition(".")
        for group in GROUPS:
            if last != group[0]:
                continue
            names = [f"{parent}.{member}" if parent else member for member in group]
            if all(layers.get(member, (0, -1))[1] == inputs for member in names):
                groups.append(names)
    return groups


def share_inputs(model: Any) -> list[list[str]]:
    """Replace each group of `model`'s plain int8 layers (`GROUPS`, per-channel scales) by a
    SharedInputInt8Linear and its shares, in place; the groups replaced, by name."""
    plain = {
        name: (module.out_features, module.in_features)
        for name, module in model.named_modules()
        if type(module) is Int8Linear
    }
    shared = []
    for names in shared_groups(plain):
        layers = [model.get_submodule(name) for name in names]
        found = joined([layer._weight_bias() for layer in layers])
        if found is not None:
            widths = [layer.out_features for layer in layers]
            for name, module in shared_modules(names, *found, widths):
                model.set_submodule(name, module)
            shared.append(names)
    return shared
