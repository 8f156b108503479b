"""How closely an int8 model's logits follow the float32 model's, for tests and benchmarks."""

from __future__ import annotations

from typing import Any


def logit_agreement(
    reference: Any, candidate: Any, inputs: dict[str, Any], steps: int
) -> list[float]:
    """Cosine similarity of the two models' logits at `steps` positions.

    The positions are the prompt's last one (the first generated token) and the next
    `steps - 1`, teacher-forced with the tokens `reference` picks greedily. `inputs` are a
    chat-template family's (input_ids and attention_mask are extended).
    """
    import torch

    prompt_length = int(inputs["input_ids"].shape[1])
    with torch.inference_mode():
        generated = reference.generate(
            **inputs, max_new_tokens=steps - 1, min_new_tokens=steps - 1, do_sample=False
        )
        extended = {
            **inputs,
            "input_ids": generated,
            "attention_mask": torch.ones_like(generated),
        }
        positions = slice(prompt_length - 1, prompt_length - 1 + steps)
        expected = reference(**extended).logits[0, positions].float()
        found = candidate(**extended).logits[0, positions].float()
    return [float(s) for s in torch.nn.functional.cosine_similarity(expected, found, dim=-1)]
