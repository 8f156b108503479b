"""Device and precision rules, checked for every kind of computer without needing one."""

from __future__ import annotations

import pytest

from desktop_app.core.errors import UnsupportedModelError
from desktop_app.engine.local.precision import Hardware, plan_placement
from desktop_app.settings import DeviceChoice, EngineSettings, Quantization

GB = 2**30
CPU = Hardware(cores=2, bitsandbytes=True, quanto=True)
BIG_GPU = Hardware(cuda=True, cuda_free_bytes=40 * GB, cores=8, bitsandbytes=True)
SMALL_GPU = Hardware(cuda=True, cuda_free_bytes=6 * GB, cores=8, bitsandbytes=True)
TINY_GPU = Hardware(cuda=True, cuda_free_bytes=1 * GB, cores=8, bitsandbytes=True)
MAC = Hardware(mps=True, cores=8, quanto=True)


def plan(hardware: Hardware, weights_gb: float = 1.0, **settings: object):  # type: ignore[no-untyped-def]
    return plan_placement(EngineSettings(**settings), hardware, int(weights_gb * GB))  # type: ignore[arg-type]


def test_cpu_defaults_to_int8_dynamic() -> None:
    placement = plan(CPU)
    assert (placement.device, placement.dtype, placement.quantization) == (
        "cpu",
        "float32",
        Quantization.INT8,
    )
    assert placement.device_map is None


def test_cpu_full_precision_when_asked() -> None:
    assert plan(CPU, quantization=Quantization.NONE).quantization is Quantization.NONE


@pytest.mark.parametrize(
    "quant", [Quantization.BNB_4BIT, Quantization.BNB_8BIT, Quantization.QUANTO_INT8]
)
def test_cpu_optional_quantizations_when_asked(quant: Quantization) -> None:
    assert plan(CPU, quantization=quant).quantization is quant


def test_cuda_bf16_when_it_fits() -> None:
    placement = plan(BIG_GPU, 17.0)
    assert (placement.device, placement.dtype, placement.quantization) == (
        "cuda",
        "bfloat16",
        Quantization.NONE,
    )
    assert placement.device_map == "auto"


def test_cuda_falls_back_to_8bit_then_4bit_when_the_model_would_not_fit() -> None:
    assert plan(SMALL_GPU, 8.0).quantization is Quantization.BNB_8BIT
    assert plan(SMALL_GPU, 17.0).quantization is Quantization.BNB_4BIT


def test_cuda_spreads_over_cpu_when_even_4bit_does_not_fit() -> None:
    placement = plan(TINY_GPU, 17.0)
    assert placement.quantization is Quantization.NONE
    assert placement.device_map == "auto"


def test_cuda_uses_flash_attention_when_installed() -> None:
    hardware = Hardware(cuda=True, cuda_free_bytes=40 * GB, flash_attention=True)
    assert plan(hardware).attention == "flash_attention_2"
    assert plan(BIG_GPU).attention == "sdpa"


def test_mps_is_fp16() -> None:
    placement = plan(MAC)
    assert (placement.device, placement.dtype) == ("mps", "float16")


def test_explicit_device_that_is_missing_is_refused() -> None:
    with pytest.raises(UnsupportedModelError):
        plan(CPU, device=DeviceChoice.CUDA)
    with pytest.raises(UnsupportedModelError):
        plan(CPU, device=DeviceChoice.MPS)


def test_missing_quantization_package_is_explained() -> None:
    with pytest.raises(UnsupportedModelError, match="bitsandbytes"):
        plan(Hardware(), quantization=Quantization.BNB_4BIT)
    with pytest.raises(UnsupportedModelError, match="optimum-quanto"):
        plan(Hardware(), quantization=Quantization.QUANTO_INT8)


def test_int8_dynamic_is_cpu_only() -> None:
    with pytest.raises(UnsupportedModelError):
        plan(BIG_GPU, quantization=Quantization.INT8)
