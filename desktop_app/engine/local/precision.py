"""Choosing device, dtype and quantization for a model on this computer.

`plan_placement` is pure (hardware is passed in) so every rule is testable without a GPU.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from typing import Any

from desktop_app.core import messages
from desktop_app.core.errors import UnsupportedModelError
from desktop_app.settings import DeviceChoice, EngineSettings, Quantization

HEADROOM = 1.25
"""Memory needed relative to the weights' size (activations, KV cache, fragmentation)."""


@dataclass(frozen=True)
class Hardware:
    """What this computer offers the model."""

    cuda: bool = False
    cuda_free_bytes: int = 0
    mps: bool = False
    cores: int = 1
    flash_attention: bool = False
    bitsandbytes: bool = False
    quanto: bool = False


@dataclass(frozen=True)
class Placement:
    """Where and in which precision a model runs."""

    device: str
    dtype: str
    quantization: Quantization
    device_map: str | None = None
    attention: str = "sdpa"

    def describe(self) -> str:
        """A short phrase such as 'cpu, int8'."""
        quant = self.quantization.value if self.quantization is not Quantization.NONE else None
        return f"{self.device}, {quant or self.dtype}"


def detect_hardware() -> Hardware:
    """Probe torch for CUDA/MPS and which optional quantization packages are installed."""
    import os

    import torch

    cuda = torch.cuda.is_available()
    free = 0
    if cuda:
        free, _total = torch.cuda.mem_get_info()
    mps_backend = getattr(torch.backends, "mps", None)
    mps = bool(mps_backend and mps_backend.is_available())
    return Hardware(
        cuda=cuda,
        cuda_free_bytes=int(free),
        mps=mps,
        cores=len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count() or 1,
        flash_attention=cuda and importlib.util.find_spec("flash_attn") is not None,
        bitsandbytes=importlib.util.find_spec("bitsandbytes") is not None,
        quanto=importlib.util.find_spec("optimum") is not None
        and importlib.util.find_spec("optimum.quanto") is not None,
    )


def plan_placement(settings: EngineSettings, hardware: Hardware, weights_bytes: int) -> Placement:
    """Pick device, dtype, quantization and attention for a model of `weights_bytes` (fp32/bf16)."""
    device = _device(settings.device, hardware)
    quant = settings.quantization
    _check_packages(quant, hardware)
    if device == "cuda":
        return _plan_cuda(quant, hardware, weights_bytes)
    if device == "mps":
        if quant in (Quantization.BNB_4BIT, Quantization.BNB_8BIT, Quantization.INT8):
            raise UnsupportedModelError(
                messages.QUANT_UNSUPPORTED.format(quant=quant.value, device="Apple MPS")
            )
        chosen = (
            Quantization.QUANTO_INT8 if quant is Quantization.QUANTO_INT8 else Quantization.NONE
        )
        return Placement("mps", "float16", chosen)
    chosen = Quantization.INT8 if quant is Quantization.AUTO else quant
    return Placement("cpu", "float32", chosen)


def _device(choice: DeviceChoice, hardware: Hardware) -> str:
    if choice is DeviceChoice.AUTO:
        return "cuda" if hardware.cuda else "mps" if hardware.mps else "cpu"
    if choice is DeviceChoice.CUDA and not hardware.cuda:
        raise UnsupportedModelError(messages.DEVICE_UNAVAILABLE.format(device="CUDA"))
    if choice is DeviceChoice.MPS and not hardware.mps:
        raise UnsupportedModelError(messages.DEVICE_UNAVAILABLE.format(device="Apple MPS"))
    return choice.value


def _check_packages(quant: Quantization, hardware: Hardware) -> None:
    if quant in (Quantization.BNB_4BIT, Quantization.BNB_8BIT) and not hardware.bitsandbytes:
        raise UnsupportedModelError(
            messages.QUANT_UNAVAILABLE.format(quant=quant.value, package="bitsandbytes")
        )
    if quant is Quantization.QUANTO_INT8 and not hardware.quanto:
        raise UnsupportedModelError(
            messages.QUANT_UNAVAILABLE.format(quant=quant.value, package="optimum-quanto")
        )


def _plan_cuda(quant: Quantization, hardware: Hardware, weights_bytes: int) -> Placement:
    attention = "flash_attention_2" if hardware.flash_attention else "sdpa"
    if quant is Quantization.INT8:
        raise UnsupportedModelError(
            messages.QUANT_UNSUPPORTED.format(quant="int8 dynamic", device="CUDA (use 8bit)")
        )
    if quant is Quantization.AUTO:
        quant = _fitting_cuda_quantization(hardware, weights_bytes)
    device_map = "auto"
    return Placement("cuda", "bfloat16", quant, device_map, attention)


def _fitting_cuda_quantization(hardware: Hardware, weights_bytes: int) -> Quantization:
    """bf16 when it fits, else bitsandbytes 8-bit, else 4-bit, else bf16 spread over GPU+CPU."""
    free = hardware.cuda_free_bytes
    bf16_bytes = weights_bytes  # published checkpoints are stored in bf16
    if bf16_bytes * HEADROOM <= free:
        return Quantization.NONE
    if hardware.bitsandbytes and bf16_bytes / 2 * HEADROOM <= free:
        return Quantization.BNB_8BIT
    if hardware.bitsandbytes and bf16_bytes / 4 * HEADROOM <= free:
        return Quantization.BNB_4BIT
    return Quantization.NONE


def quantization_config(placement: Placement) -> object | None:
    """The transformers quantization config for a placement, if it loads quantized."""
    import torch
    from transformers import BitsAndBytesConfig

    if placement.quantization is Quantization.BNB_4BIT:
        return BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_compute_dtype=getattr(torch, placement.dtype),
        )
    if placement.quantization is Quantization.BNB_8BIT:
        return BitsAndBytesConfig(load_in_8bit=True)
    if placement.quantization is Quantization.QUANTO_INT8:
        from transformers import QuantoConfig

        return QuantoConfig(weights="int8")
    return None


def quantize_dynamic_int8(model: object) -> object:
    """Replace `model`'s Linear layers, in place, by int8 dynamically quantized ones
    (`Int8Linear`; a gated MLP's output layer rotated, `RotatedInt8Linear`; the output
    layer split where fbgemm would pad it), and its token embedding by an int8 table (CPU).
    Layers whose owner reads their weight tensor stay as they are (`int8_skip`)."""
    import warnings

    import torch

    from desktop_app.engine.local.int8_embedding import quantize_input_embeddings
    from desktop_app.engine.local.int8_linear import (
        Int8Linear,
        pads,
        split_output_layer,
        weight_qconfig,
    )
    from desktop_app.engine.local.int8_rotated import rotate_mlp_outputs
    from desktop_app.engine.local.int8_skip import weight_readers

    with warnings.catch_warnings():
        # torch marks torch.ao.quantization deprecated in favour of torchao; it is still the
        # fastest CPU path measured here, and torchao is not a dependency.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        from torch.ao.quantization import quantize_dynamic

        kept = weight_readers(model)
        rotate_mlp_outputs(model)  # first: quantize_dynamic leaves them as they are
        output = _output_layer(model)
        spec: Any = {
            name: weight_qconfig(split=module is output and pads(module.in_features))
            for name, module in model.named_modules()  # type: ignore[attr-defined]
            if isinstance(module, torch.nn.Linear) and name not in kept
        }
        # In place: a copy would hold the float32 weights twice at the peak.
        model = quantize_dynamic(
            model,
            spec,
            dtype=torch.qint8,
            mapping={torch.nn.Linear: Int8Linear},
            inplace=True,
        )
    quantize_input_embeddings(model)  # after: a tied output layer keeps its own int8 weight
    split_output_layer(model)
    return model


def _output_layer(model: Any) -> Any:
    """The model's output layer (`get_output_embeddings`), or None."""
    getter = getattr(model, "get_output_embeddings", None)
    return getter() if callable(getter) else None
