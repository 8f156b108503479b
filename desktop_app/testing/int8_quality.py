"""How closely an int8 model's logits follow the float32 model's, for tests and benchmarks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

ACTIVATION_LEVELS = 255
"""The whole 8-bit range of the activations' unsigned values (torch's dynamic int8: 0..255)."""


def logit_agreement(
    reference: Any, candidate: Any, inputs: dict[str, Any], steps: int
) -> list[float]:
    """Cosine similarity of the two models' logits at `steps` positions.

    The positions are the prompt's last one (the first generated token) and the next
    `steps - 1`, teacher-forced with the tokens `reference` picks greedily. `inputs` are a
    chat-template family's (input_ids and attention_mask are extended).
    """
    return TeacherForced(reference, inputs, steps).agreement(candidate)


class TeacherForced:
    """The reference model's greedy tokens after `inputs` and its logits at the `steps`
    positions `logit_agreement` compares, computed once for any number of candidates."""

    def __init__(self, reference: Any, inputs: dict[str, Any], steps: int) -> None:
        import torch

        prompt_length = int(inputs["input_ids"].shape[1])
        with torch.inference_mode():
            generated = reference.generate(
                **inputs, max_new_tokens=steps - 1, min_new_tokens=steps - 1, do_sample=False
            )
            self.inputs = {
                **inputs,
                "input_ids": generated,
                "attention_mask": torch.ones_like(generated),
            }
            self.positions = slice(prompt_length - 1, prompt_length - 1 + steps)
            self.expected = reference(**self.inputs).logits[0, self.positions].float()

    def agreement(self, candidate: Any) -> list[float]:
        """Cosine similarity of `candidate`'s logits with the reference's at each position."""
        import torch

        with torch.inference_mode():
            found = candidate(**self.inputs).logits[0, self.positions].float()
        similarities = torch.nn.functional.cosine_similarity(self.expected, found, dim=-1)
        return [float(s) for s in similarities]


@contextmanager
def eight_bit_activations() -> Iterator[None]:
    """Inside, Iris's int8 Linear layers compute what they compute on a CPU with VNNI, where
    the activations take 8 bits: the input quantized over 0..255 as torch's dynamic int8
    chooses its range, times the layer's int8 weight, in float32. The kernels are not used:
    without VNNI they add pairs of products in 16 bits and 8-bit activations would saturate
    (`int8_linear.full_range_is_exact`). The output layer split for fbgemm
    (`SplitInt8Linear`) is taken whole, one range for its input."""
    from desktop_app.engine.local.int8_linear import Int8Linear, SplitInt8Linear

    saved = Int8Linear.forward, SplitInt8Linear.forward

    def layer(self: Int8Linear, x: Any) -> Any:
        return _eight_bit_product(x, *self._weight_bias())

    def split(self: SplitInt8Linear, x: Any) -> Any:
        return _eight_bit_product(x, *self.weight_bias())

    Int8Linear.forward, SplitInt8Linear.forward = layer, split  # type: ignore[method-assign]
    try:
        yield
    finally:
        Int8Linear.forward, SplitInt8Linear.forward = saved  # type: ignore[method-assign]


def _eight_bit_product(x: Any, weight: Any, bias: Any) -> Any:
    """`x` (float) quantized to 8 bits as torch's dynamic int8 does (ATen's
    `quant_utils::ChooseQuantizationParams`, which `quantized::linear_dynamic` calls, without
    `reduce_range`), times the qint8 `weight`, plus `bias`, in float32. Not followed: its
    widening of a scale under 6.1e-5, for an input whose whole range is under 0.016, which
    the kernel then rounds more coarsely (2.5 % apart at a range of 0.006)."""
    import torch

    rows = x.reshape(-1, x.shape[-1]).float()
    low, high = min(float(rows.min()), 0.0), max(float(rows.max()), 0.0)
    scale = float(torch.tensor((high - low) / ACTIVATION_LEVELS, dtype=torch.float32)) or 0.1
    from_low, from_high = -low / scale, ACTIVATION_LEVELS - high / scale
    closer_to_low = -abs(low / scale) < ACTIVATION_LEVELS - abs(high / scale)
    zero_point = min(max(round(from_low if closer_to_low else from_high), 0), ACTIVATION_LEVELS)
    levels = (rows * (1.0 / scale)).round_().add_(zero_point).clamp_(0, ACTIVATION_LEVELS)
    product = (levels - zero_point).mul_(scale) @ weight.dequantize().T
    if bias is not None:
        product += bias
    return product.reshape(*x.shape[:-1], product.shape[-1]).to(x.dtype)
