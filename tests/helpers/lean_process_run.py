"""Answers from tiny models in a process of its own, with torch's compiler, distributed
tensors, flex attention and symbolic shapes kept out or not.

    python lean_process_run.py {lean|imported|as-shipped} FAMILY=FOLDER ...

"lean" puts the torch._dynamo stand-in in place, reports torch.distributed and flex attention
unavailable and skips torch's symbolic checks of a plain True first, "imported" imports them all
first (as transformers does by itself), "as-shipped" does neither: the backend is built and
loads as in the model process (run it with lean_imports.ONE_MODEL_ENV set). Loads each folder
(int8 as shipped; otherwise no quantization, so the tokens do not depend on activation ranges),
asks one turn and a follow-up, and prints one JSON object: per family, the token ids each answer
generated, whether torch._dynamo and torch._meta_registrations were still stand-ins and whether
torch's distributed tensors, flex attention and sympy were imported, after that family's
answers.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from PIL import Image


def _recorded(model: Any) -> list[list[int]]:
    """The token ids each later `generate` call of `model` writes, as they come."""
    generated: list[list[int]] = []
    inner = model.generate

    def generate(*args: Any, **kwargs: Any) -> Any:
        output = inner(*args, **kwargs)
        prompt = int(kwargs["input_ids"].shape[1])
        generated.append([int(i) for i in output.sequences[0, prompt:].tolist()])
        return output

    model.generate = generate
    return generated


def main(mode: str, folders: list[str]) -> None:
    from desktop_app.core.types import Request
    from desktop_app.engine.local.deferred_meta import meta_registrations_deferred
    from desktop_app.engine.process.spec import BackendSpec, Kind
    from desktop_app.settings import EngineSettings, Quantization

    quantization = Quantization.INT8 if mode == "as-shipped" else Quantization.NONE
    named = (item.split("=", 1) for item in folders)
    backends = {  # made before torch is imported, as in the model process
        family: BackendSpec(
            Kind.LOCAL_MODEL, EngineSettings(model=folder, quantization=quantization)
        ).build()
        for family, folder in named
    }
    import torch

    from desktop_app.engine.local.deferred_dynamo import defer_dynamo, dynamo_deferred
    from desktop_app.engine.local.lean_imports import (
        keep_distributed_out,
        keep_flex_attention_out,
        skip_symbolic_checks,
    )

    if mode == "lean":
        assert defer_dynamo() and keep_distributed_out()
        assert keep_flex_attention_out() and skip_symbolic_checks()
    elif mode == "imported":
        import torch._dynamo
        import torch.distributed.tensor
        import torch.fx.experimental.symbolic_shapes
        import torch.nn.attention.flex_attention
    torch.manual_seed(0)
    screen = Image.new("RGB", (300, 200), (30, 90, 160))
    results: dict[str, Any] = {}
    for family, backend in backends.items():
        backend.load()
        generated = _recorded(backend.loaded.model)
        first = Request.single("Describe.", [screen], max_new_tokens=4)
        answer = backend.start(first, lambda _: None)
        backend.start(first.follow_up(answer.text, "And what else?"), lambda _: None)
        results[family] = {
            "ids": generated,
            "deferred": dynamo_deferred(),
            "meta deferred": meta_registrations_deferred(),
            "distributed": "torch.distributed.tensor" in sys.modules,
            "flex": "torch.nn.attention.flex_attention" in sys.modules,
            "sympy": "sympy" in sys.modules,
        }
        backend.close()
    print(json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
