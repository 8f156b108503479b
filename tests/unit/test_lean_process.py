"""torch._dynamo, torch's distributed tensors, flex attention and symbolic shapes kept out of
the model process (engine/local/deferred_dynamo.py, engine/local/lean_imports.py).

Each case runs in a process of its own: the stand-in replaces a package in `sys.modules`, which
this test process has imported already. Weights are random: token ids are compared, never words.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from desktop_app.engine.local.lean_imports import ONE_MODEL_ENV
from desktop_app.testing.random_models import PROMPTED_FAMILIES as PROMPTED
from tests.helpers.own_process import printed, run_python

HELPER = Path(__file__).resolve().parents[1] / "helpers" / "lean_process_run.py"
WITHOUT_DYNAMO = ("idefics3", "idefics2")
"""Families the model process runs with torchvision kept out: nothing imports torch._dynamo."""


def _answers(mode: str, folders: dict[str, Path], **environment: str) -> dict[str, Any]:
    argv = [str(HELPER), mode, *(f"{family}={folder}" for family, folder in folders.items())]
    done = run_python(argv, **environment)
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_every_family_gives_the_same_tokens_in_a_lean_process(
    every_family: dict[str, Path],
) -> None:
    """Loading and answering (a turn and a follow-up) in a process with the torch._dynamo
    stand-in and torch.distributed reported unavailable give the token ids of a process with
    both imported, family by family; a family whose code needs the real torch._dynamo
    (torchvision's operators import it, and it imports the distributed tensors) gets it when
    it asks."""
    folders = {family: every_family[family] for family in PROMPTED}
    deferred = _answers("lean", folders)
    imported = _answers("imported", folders)
    assert set(deferred) == set(PROMPTED)
    for family in PROMPTED:
        assert deferred[family]["ids"] == imported[family]["ids"], family
        assert len(deferred[family]["ids"]) == 2 and all(deferred[family]["ids"]), family
        assert imported[family]["deferred"] is False


@pytest.mark.parametrize("family", WITHOUT_DYNAMO)
def test_the_model_process_never_imports_dynamo_or_distributed_tensors(
    every_family: dict[str, Path], family: str
) -> None:
    """As the model process loads a family without torchvision (int8), transformers'
    decorators and its masking helper are served by the stand-in: the real torch._dynamo is
    never imported, nor are torch's distributed tensors, flex attention or sympy."""
    answers = _answers("as-shipped", {family: every_family[family]}, **{ONE_MODEL_ENV: "1"})
    assert answers[family]["deferred"] is True
    assert answers[family]["distributed"] is False
    assert answers[family]["flex"] is False and answers[family]["sympy"] is False
    assert len(answers[family]["ids"]) == 2 and all(answers[family]["ids"])


@pytest.mark.parametrize("family", WITHOUT_DYNAMO)
def test_a_load_from_the_int8_cache_leaves_torchs_python_meta_kernels_out(
    every_family: dict[str, Path], family: str, tmp_path: Path
) -> None:
    """The model process's first int8 load streams the checkpoint on the meta device, so it
    imports torch's Python meta kernels; a later model process loading from the cache never
    does, through both answers, and answers with the same token ids."""
    environment = {ONE_MODEL_ENV: "1", "IRIS_CACHE_DIR": str(tmp_path)}
    first = _answers("as-shipped", {family: every_family[family]}, **environment)[family]
    warm = _answers("as-shipped", {family: every_family[family]}, **environment)[family]
    assert first["meta deferred"] is False and warm["meta deferred"] is True
    assert warm["ids"] == first["ids"] and len(warm["ids"]) == 2 and all(warm["ids"])


def test_everything_is_kept_out_before_a_load_in_one_call() -> None:
    """`keep_out_before_loading`, as `load_model` calls it in the model process: torchvision
    (for a family without it), the real torch._dynamo, the distributed tensors, flex attention
    and sympy stay out through transformers' processor and model code."""
    code = """
import sys, torch
from desktop_app.engine.local.deferred_dynamo import dynamo_deferred
from desktop_app.engine.local.lean_imports import keep_out_before_loading, torchvision_kept_out
keep_out_before_loading("idefics3")
import transformers.models.auto.processing_auto, transformers.models.idefics3.modeling_idefics3
from transformers.utils import is_torch_flex_attn_available
assert torchvision_kept_out() and dynamo_deferred() and not torch.distributed.is_available()
assert not is_torch_flex_attn_available() and hasattr(torch._check_with, "__wrapped__")
out = ("torch.distributed.tensor", "torch.nn.attention.flex_attention", "sympy")
print([name for name in out if name in sys.modules] or "out")
"""
    assert printed(code) == ["out"]


def test_anything_else_asked_of_the_stand_in_imports_the_real_package() -> None:
    code = """
import sys, torch
from desktop_app.engine.local.deferred_dynamo import defer_dynamo, dynamo_deferred
assert defer_dynamo() and defer_dynamo() and dynamo_deferred()
stand_in = sys.modules["torch._dynamo"]
decorated = torch.compiler.disable(len)
assert decorated is len and torch.compiler.allow_in_graph(len) is len
from torch._dynamo._trace_wrapped_higher_order_op import TransformGetItemToIndex
assert "torch._dynamo.utils" not in sys.modules and dynamo_deferred()
mark = stand_in.mark_static_address
real = sys.modules["torch._dynamo"]
assert real is not stand_in and torch._dynamo is real and not dynamo_deferred()
assert mark is real.mark_static_address
from torch._dynamo.utils import NP_SUPPORTED_MODULES
assert NP_SUPPORTED_MODULES and real.config is sys.modules["torch._dynamo.config"]
print("real")
"""
    assert printed(code) == ["real"]


def test_a_submodule_importing_its_siblings_under_the_stand_in_is_loaded_whole() -> None:
    """torchvision's operators import torch._dynamo.utils, which imports `config` from its
    package: the real package is brought in then, and the module is complete."""
    code = """
import sys, torch
from desktop_app.engine.local.deferred_dynamo import defer_dynamo, dynamo_deferred
assert defer_dynamo()
import torch._dynamo.utils as utils
assert not dynamo_deferred() and sys.modules["torch._dynamo.utils"].NP_SUPPORTED_MODULES
import torch._dynamo.trace_rules
print("whole")
"""
    assert printed(code) == ["whole"]


def test_nothing_is_deferred_once_the_real_package_is_imported() -> None:
    code = """
import torch, torch._dynamo
from desktop_app.engine.local.deferred_dynamo import defer_dynamo, dynamo_deferred
assert defer_dynamo() is False and not dynamo_deferred()
assert torch.compiler.disable(len) is not len
print("kept")
"""
    assert printed(code) == ["kept"]


def test_distributed_stays_available_where_transformers_has_been_told_so() -> None:
    """Too late once transformers' weight loading is imported (it bound the distributed names
    then): nothing is changed, so the process stays consistent."""
    code = """
import torch.distributed, transformers.distributed.sharding_utils
from desktop_app.engine.local.lean_imports import keep_distributed_out
from transformers.utils.import_utils import is_torch_distributed_available
assert keep_distributed_out() is False and torch.distributed.is_available()
assert is_torch_distributed_available()
print("kept")
"""
    assert printed(code) == ["kept"]


def test_distributed_is_reported_unavailable_to_transformers_before_it_asks() -> None:
    code = """
import sys, torch.distributed
from desktop_app.engine.local.deferred_dynamo import defer_dynamo
from desktop_app.engine.local.lean_imports import keep_distributed_out, keep_torchvision_out
assert keep_distributed_out() and keep_distributed_out()
assert defer_dynamo() and keep_torchvision_out("idefics3")  # as the model process does
from transformers.utils.import_utils import is_torch_distributed_available
import transformers.modeling_utils
assert not torch.distributed.is_available() and not is_torch_distributed_available()
assert "torch.distributed.tensor" not in sys.modules
print("out")
"""
    assert printed(code) == ["out"]


def test_flex_attention_stays_available_where_transformers_has_asked() -> None:
    """Too late once transformers' model code is imported (it imported flex attention then):
    nothing is changed."""
    code = """
import transformers.modeling_utils
from desktop_app.engine.local.lean_imports import keep_flex_attention_out
from transformers.utils import is_torch_flex_attn_available
assert keep_flex_attention_out() is False and is_torch_flex_attn_available()
print("kept")
"""
    assert printed(code) == ["kept"]


def test_flex_attention_is_reported_unavailable_to_transformers_before_it_asks() -> None:
    code = """
import sys
from desktop_app.engine.local.lean_imports import keep_flex_attention_out
assert keep_flex_attention_out() and keep_flex_attention_out()
import transformers.modeling_utils, transformers.masking_utils
from transformers.utils.import_utils import is_torch_flex_attn_available
assert not is_torch_flex_attn_available()
assert "torch.nn.attention.flex_attention" not in sys.modules
print("out")
"""
    assert printed(code) == ["out"]


def test_a_plain_true_is_checked_without_symbolic_shapes_and_anything_else_as_torch_does() -> None:
    code = """
import sys, torch
from desktop_app.engine.local.lean_imports import skip_symbolic_checks
assert skip_symbolic_checks() and skip_symbolic_checks()
torch._check(True)
torch._check_tensor_all(torch.tensor([True, True]))
torch._check_index(1 < 2, lambda: "in range")
assert "torch.fx.experimental.symbolic_shapes" not in sys.modules
try:
    torch._check(False, lambda: "the condition failed")
except RuntimeError as error:
    print(error)
try:
    torch._check_tensor_all(torch.tensor([True, False]), lambda: "not all")
except RuntimeError as error:
    print(error)
try:
    torch._check_index(False, lambda: "out")
except IndexError as error:
    print(error)
try:
    torch._check(torch.tensor(True))
except TypeError:
    print("typed")
"""
    assert printed(code) == ["the", "condition", "failed", "not", "all", "out", "typed"]
