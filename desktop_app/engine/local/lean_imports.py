"""Keeping out of a process that loads one model what that model does not need: torchvision
where its family does without it, and torch's distributed tensors.

transformers imports torchvision as soon as any of its image modules is imported, whenever
torchvision is installed (`transformers.image_utils` takes its interpolation modes from it),
and `AutoProcessor` then picks the torchvision image processors. The PIL ones do the same
work for these families, and torchvision's own modules and libraries cost about 15 MB of
resident memory. Only SmolVLM2's video processor (model type "smolvlm") and families not
listed here need it.

transformers decides once per process, when its image modules are first imported, which
processors exist, so a process that kept torchvision out cannot load a family needing it
later. That is why this is only done where the environment says the process loads a single
model (`ONE_MODEL_ENV`, set for the model process): a window that loads models in its own
process keeps transformers' usual choice.

transformers' weight loading imports torch's distributed tensors (`torch.distributed.tensor`,
sympy with it: 0.4 s and 14 MB in the model process) whenever torch was built with distributed
support, for tensor parallelism across processes. One model in one process never shards its
weights, so there torch.distributed is reported unavailable before transformers asks.

transformers' model code imports torch's flex attention whenever torch has it, and with it
torch's symbolic shapes and sympy (0.4 s of one core and 33 MB in the model process, while the
int8 layers are being packed). Iris asks for SDPA or eager attention, never flex, so there flex
attention is reported unavailable before the processor's imports.

Even so, torch's `_check` helpers import torch's symbolic shapes (and sympy) the first time
any of them runs, to ask whether the condition holds symbolically; transformers' models call
them on every answer (Idefics3's image merge checks its token counts). In a process that never
traces a model, a condition that is a plain True needs no such question: `skip_symbolic_checks`
has it return at once, and hands anything else (False, a symbolic condition) to torch's own.
"""

from __future__ import annotations

import functools
import os
import sys
from typing import Any

ONE_MODEL_ENV = "IRIS_ONE_MODEL_PROCESS"
"""Set to 1 in a process that loads one model and nothing else needing torchvision."""

WITHOUT_TORCHVISION = frozenset({"idefics3", "idefics2", "idefics", "llava"})
"""Model types whose PIL image processors are tested with torchvision kept out (SmolVLM and
SmolVLM-256M/500M are "idefics3")."""

_IMAGE_MODULES = ("transformers.image_utils", "transformers.image_processing_utils")


def one_model_process() -> bool:
    """Whether the environment says this process loads a single model."""
    return os.environ.get(ONE_MODEL_ENV, "") == "1"


def keep_out_before_loading(model_type: str) -> None:
    """What this module keeps out, and torch._dynamo's stand-in (`deferred_dynamo`), put in
    place in the model process before a model of `model_type` is loaded
    (`loading.load_model`), each before what it must precede."""
    from desktop_app.engine.local.deferred_dynamo import defer_dynamo

    keep_torchvision_out(model_type)  # before the processor's imports
    defer_dynamo()  # before transformers' model code
    keep_distributed_out()  # before its weight loading
    keep_flex_attention_out()  # before transformers' model code
    skip_symbolic_checks()  # torch's symbolic shapes and sympy stay out


def keep_torchvision_out(model_type: str) -> bool:
    """Make transformers take torchvision for absent before it looks, for a `model_type`
    that does without it. True when torchvision is kept out (now or before); False, and
    nothing changed, when the type needs torchvision or it is too late (torchvision or
    transformers' image modules already imported)."""
    if torchvision_kept_out():
        return True
    if model_type not in WITHOUT_TORCHVISION or "torchvision" in sys.modules:
        return False
    if any(name in sys.modules for name in _IMAGE_MODULES):
        return False
    sys.modules["torchvision"] = None  # type: ignore[assignment]  # import and find_spec: absent
    from transformers.utils import import_utils

    for check in (
        "is_torchvision_available",
        "is_torchvision_v2_available",
        "is_torchvision_greater_or_equal",
    ):
        cached = getattr(import_utils, check, None)
        if cached is not None and hasattr(cached, "cache_clear"):
            cached.cache_clear()  # answered True already, when transformers was imported
    return True


def torchvision_kept_out() -> bool:
    """Whether `keep_torchvision_out` has hidden torchvision in this process."""
    return "torchvision" in sys.modules and sys.modules["torchvision"] is None


def keep_distributed_out() -> bool:
    """Report torch.distributed unavailable to what asks from now on (transformers, before it
    imports its weight-loading modules). True when it is reported so; False, and nothing
    changed, where a process group is running or transformers has already been told it is
    available."""
    import torch.distributed

    if torch.distributed.is_available is _unavailable:
        return True
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        return False
    if "transformers.distributed.sharding_utils" in sys.modules:
        return False
    torch.distributed.is_available = _unavailable
    from transformers.utils import import_utils

    import_utils.is_torch_distributed_available.cache_clear()
    return True


_FLEX_ASKERS = (
    "transformers.integrations.flex_attention",
    "transformers.masking_utils",
    "transformers.modeling_utils",
)
"""transformers' modules that import flex attention, or not, as they are imported."""


def keep_flex_attention_out() -> bool:
    """Report torch's flex attention unavailable to transformers' modules imported from now
    on. True when it is reported so (now or before); False, and nothing changed, where a module
    of transformers that asks has been imported already."""
    import transformers.utils
    from transformers.utils import import_utils

    if import_utils.is_torch_flex_attn_available is _unavailable:
        return True
    if any(name in sys.modules for name in _FLEX_ASKERS):
        return False
    import_utils.is_torch_flex_attn_available = _unavailable
    transformers.utils.is_torch_flex_attn_available = _unavailable
    return True


def skip_symbolic_checks() -> bool:
    """Have torch's `_check` helpers return at once on a plain True (see the module's
    docstring); anything else goes to torch's own. True when done (now or before)."""
    import torch

    checking = torch._check_with
    if getattr(checking, "__wrapped__", None) is not None:
        return True

    @functools.wraps(checking)
    def check_with(error_type: Any, cond: Any, message: Any = None) -> None:
        if cond is True:
            return
        checking(error_type, cond, message)

    torch._check_with = check_with
    return True


def _unavailable() -> bool:
    """torch.distributed.is_available and transformers' is_torch_flex_attn_available in a
    process that loads one model."""
    return False
