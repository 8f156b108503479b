"""Llama-like text models writing one token without transformers' per-call code.

When SmolVLM writes its answer, each token runs the text model (LlamaModel) on one position.
On a 2-core AMD EPYC (AVX-512 VNNI), SmolVLM-256M's shape in int8, that took 17.0-17.3 ms, of
which 3-4 ms was the Python of transformers' model and layers: keyword arguments passed down
five levels, the mask's construction, the attention function looked up by name,
`rotate_half` twice, each projection a module call. `LeanModel` and `LeanLayer` take their
place for exactly that case (one position of one sequence, no mask, sdpa attention, nothing
asked beyond the hidden states) and run the same operations on the same tensors, so the
logits are the same, bit for bit (tests/unit/test_lean_decode.py, every family): 13.3-13.7 ms.
Through the backend, interleaved in one process, a description's decode went from 19.6 to
17.1 ms/token (medians of 8 answers of 41 tokens each way, the same text); SmolVLM-2.2B's,
whose weights come from memory, from 59.7 to 58.7 (within this VM's noise).
Qwen2's and Mistral's text models are LlamaModel's code under other names (Qwen2's query, key
and value have biases; both can attend over a sliding window), so they are made lean too:
LLaVA-Interleave, LLaVA-OneVision and InternVL (Qwen2), Idefics2, LLaVA-NeXT and Mistral 3
(Mistral).
Every other call (the prompt, a padded batch, a subclass, another attention, a position past
a sliding window) goes to transformers' own `forward`. The layers are still called as
modules, so their hooks (a Stop's check before each layer, `streaming.stop_inside_steps`)
run as before. Installed for the CPU only (`loading.load_model`), where the Python is the
larger share of a token.

Two more savings come with it: the query, key and value of a layer are one int8 product
(`int8_shared`), taken whole and cut here rather than asked for three times; and the rotary
embedding turns the query's and key's heads in one pass.
"""

from __future__ import annotations

import sys
import weakref
from typing import Any

import torch
import torch.nn.functional as F

from desktop_app.engine.local.int8_linear import Int8Linear
from desktop_app.engine.local.int8_shared import Int8Share, SharedInputInt8Linear

TEXT_MODELS = {
    "transformers.models.llama.modeling_llama": "Llama",
    "transformers.models.mistral.modeling_mistral": "Mistral",
    "transformers.models.qwen2.modeling_qwen2": "Qwen2",
}
"""transformers' modules whose text model can be made lean, and their classes' prefix
(LlamaModel, LlamaDecoderLayer, LlamaAttention, LlamaMLP, LlamaRMSNorm)."""


def lean_decoding(model: Any) -> int:
    """Have every Llama-like text model inside `model` (sdpa attention, transformers' own
    classes, no layer limited to a sliding window) write a token through `LeanModel`, its
    layers through `LeanLayer`; how many models."""
    kinds = {  # only the modules imported: no model here is another (nor is its import paid)
        getattr(classes, f"{prefix}Model"): (classes, prefix)
        for name, prefix in TEXT_MODELS.items()
        if (classes := sys.modules.get(name)) is not None
    }
    found = 0
    for module in model.modules():
        kind = kinds.get(type(module))
        if kind is not None and _can_be_lean(module, *kind):
            for layer in module.layers:
                layer.forward = LeanLayer(layer)
            module.forward = LeanModel(module)
            found += 1
    return found


def _can_be_lean(module: Any, classes: Any, prefix: str) -> bool:
    config = module.config
    return (
        not isinstance(module.forward, LeanModel)
        and config._attn_implementation == "sdpa"
        and "sliding_attention" not in (getattr(config, "layer_types", None) or ())
        and all(_plain_layer(layer, classes, prefix) for layer in module.layers)
    )


def _plain_layer(layer: Any, classes: Any, prefix: str) -> bool:
    def made_by(part: Any, kind: str) -> bool:
        return type(part) is getattr(classes, f"{prefix}{kind}")

    return (
        made_by(layer, "DecoderLayer")
        and made_by(layer.self_attn, "Attention")
        and made_by(layer.mlp, "MLP")
        and made_by(layer.input_layernorm, "RMSNorm")
        and made_by(layer.post_attention_layernorm, "RMSNorm")
    )


HARMLESS = {"logits_to_keep": lambda value: True, "return_dict": lambda value: value is True}
"""Options some wrappers pass down to the text model that change nothing computed here:
LLaVA-OneVision's `logits_to_keep` (for its output layer; the text model hands it to layers
and attention that do not read it) and Idefics2's `return_dict=True` (the output is one)."""


def _nothing_else(kwargs: dict[str, Any]) -> bool:
    """True when no other option is asked for (`output_attentions=False` and the like are
    the defaults)."""
    return all(
        value is None or value is False or (name in HARMLESS and HARMLESS[name](value))
        for name, value in kwargs.items()
    )


class LeanModel:
    """A LlamaModel's `forward` (or Qwen2Model's, MistralModel's): one position of one
    sequence continuing a cache, within any sliding window, computed here; any other call
    given to transformers' own. It holds the model weakly: the model holds it, and a cycle
    would keep a model dropped (its weights, the int8 cache's open file) until the garbage
    collector's next pass."""

    def __init__(self, model: Any) -> None:
        self._model = weakref.ref(model)
        self.standard = type(model).forward

    def __call__(
        self,
        input_ids: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        position_ids: torch.Tensor | None = None,
        past_key_values: Any = None,
        inputs_embeds: torch.Tensor | None = None,
        use_cache: bool | None = None,
        **kwargs: Any,
    ) -> Any:
        model = self._model()
        if model is None:
            raise ReferenceError("the model this forward belongs to was dropped")
        given = inputs_embeds if input_ids is None else input_ids
        if (
            model.training
            or past_key_values is None
            or use_cache is False
            or (input_ids is None) == (inputs_embeds is None)
            or given is None
            or tuple(given.shape[:2]) != (1, 1)
            or not _no_padding(attention_mask)
            or not _nothing_else(kwargs)
            or not _within_window(model.config, past_key_values)
        ):
            return self.standard(
                model,
                input_ids=input_ids,
                attention_mask=attention_mask,
                position_ids=position_ids,
                past_key_values=past_key_values,
                inputs_embeds=inputs_embeds,
                use_cache=use_cache,
                **kwargs,
            )
        return _one_position(model, given, inputs_embeds is not None, position_ids, past_key_values)


def _no_padding(mask: Any) -> bool:
    """No mask, or one of ones (a mask `generate` has already made, a dict of them per kind
    of layer, is left to transformers)."""
    return mask is None or (isinstance(mask, torch.Tensor) and bool(mask.all()))


def _within_window(config: Any, cache: Any) -> bool:
    """Whether the new position sees every position before it: with a sliding window (a
    Mistral's), transformers masks the keys once there are as many as the window."""
    window = getattr(config, "sliding_window", None)
    return window is None or cache.get_seq_length() + 1 < window


def _one_position(
    model: Any, given: torch.Tensor, embedded: bool, position_ids: Any, cache: Any
) -> Any:
    """A LlamaModel's output for one position: its layers called as LlamaModel calls them."""
    from transformers.modeling_outputs import BaseModelOutputWithPast

    hidden = given if embedded else model.embed_tokens(given)
    if position_ids is None:
        position_ids = torch.full((1, 1), cache.get_seq_length(), device=hidden.device)
    embeddings = model.rotary_emb(hidden, position_ids=position_ids)
    for layer in model.layers[: model.config.num_hidden_layers]:
        hidden = layer(
            hidden,
            attention_mask=None,
            position_embeddings=embeddings,
            position_ids=position_ids,
            past_key_values=cache,
            use_cache=True,
        )
    hidden = model.norm(hidden)
    return BaseModelOutputWithPast(last_hidden_state=hidden, past_key_values=cache)


class LeanLayer:
    """A LlamaDecoderLayer's `forward` (or its Qwen2, Mistral twin's): one position without a
    mask, continuing a cache, computed here; any other call given to transformers' own. Holds
    its layer weakly, as `LeanModel` its model."""

    def __init__(self, layer: Any) -> None:
        self._layer = weakref.ref(layer)
        self.standard = type(layer).forward
        attention = layer.self_attn
        self.head_dim = attention.head_dim
        self.grouped = attention.num_key_value_groups > 1
        self.joined_qkv = _one_product(attention.q_proj, attention.k_proj, attention.v_proj)
        self.joined_gate_up = _one_product(layer.mlp.gate_proj, layer.mlp.up_proj)

    def __call__(
        self,
        hidden_states: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        position_ids: torch.Tensor | None = None,
        past_key_values: Any = None,
        use_cache: bool | None = False,
        position_embeddings: tuple[torch.Tensor, torch.Tensor] | None = None,
        **kwargs: Any,
    ) -> torch.Tensor:
        layer = self._layer()
        if layer is None:
            raise ReferenceError("the layer this forward belongs to was dropped")
        if (
            attention_mask is not None
            or past_key_values is None
            or position_embeddings is None
            or layer.training
            or tuple(hidden_states.shape[:2]) != (1, 1)
            or not _nothing_else(kwargs)
        ):
            return self.standard(
                layer,
                hidden_states,
                attention_mask=attention_mask,
                position_ids=position_ids,
                past_key_values=past_key_values,
                use_cache=use_cache,
                position_embeddings=position_embeddings,
                **kwargs,
            )
        attended = self.attention(layer, hidden_states, position_embeddings, past_key_values)
        hidden = hidden_states + attended
        return hidden + self.mlp(layer.mlp, _rms_norm(hidden, layer.post_attention_layernorm))

    def attention(
        self,
        layer: Any,
        hidden: torch.Tensor,
        rotary: tuple[torch.Tensor, torch.Tensor],
        cache: Any,
    ) -> torch.Tensor:
        """LlamaAttention's output for one position (sdpa, no mask), the cache updated."""
        attention = layer.self_attn
        normed = _rms_norm(hidden, layer.input_layernorm)
        width = self.head_dim
        cos, sin = (part.unsqueeze(1) for part in rotary)
        if self.joined_qkv:
            qkv = Int8Linear.forward(attention.q_proj, normed)
            (_, queries_end), (_, keys_end), _ = attention.q_proj.bounds
            turned = _rotated(_heads(qkv[..., :keys_end], width), cos, sin)
            query, key = turned[:, : queries_end // width], turned[:, queries_end // width :]
            value = qkv[..., keys_end:]
        else:
            query = _rotated(_heads(attention.q_proj(normed), width), cos, sin)
            key = _rotated(_heads(attention.k_proj(normed), width), cos, sin)
            value = attention.v_proj(normed)
        key, value = cache.update(key, _heads(value, width), attention.layer_idx)
        out = F.scaled_dot_product_attention(
            query,
            key,
            value,
            dropout_p=0.0,
            scale=attention.scaling,
            is_causal=False,
            enable_gqa=self.grouped,
        )
        return attention.o_proj(out.transpose(1, 2).contiguous().reshape(1, 1, -1).contiguous())

    def mlp(self, mlp: Any, normed: torch.Tensor) -> torch.Tensor:
        """LlamaMLP's output."""
        if self.joined_gate_up:
            both = Int8Linear.forward(mlp.gate_proj, normed)
            (_, middle), _ = mlp.gate_proj.bounds
            return mlp.down_proj(mlp.act_fn(both[..., :middle]) * both[..., middle:])
        return mlp.down_proj(mlp.act_fn(mlp.gate_proj(normed)) * mlp.up_proj(normed))


def _one_product(first: Any, *others: Any) -> bool:
    """Whether `first` is an int8 group whose product is exactly the layers' outputs one
    after another (`others` its shares, in order, and nothing else)."""
    if type(first) is not SharedInputInt8Linear or len(first.bounds) != 1 + len(others):
        return False
    return all(
        type(other) is Int8Share and other._first[0] is first and other.index == index
        for index, other in enumerate(others, start=1)
    )


def _heads(states: torch.Tensor, width: int) -> torch.Tensor:
    """One position's projection (1, 1, heads x width) as heads: (1, heads, 1, width)."""
    return states.view(1, 1, -1, width).transpose(1, 2)


def _rotated(states: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """`apply_rotary_pos_emb` for one tensor of heads."""
    half = states.shape[-1] // 2
    return states * cos + torch.cat((-states[..., half:], states[..., :half]), dim=-1) * sin


def _rms_norm(hidden: torch.Tensor, norm: Any) -> torch.Tensor:
    """LlamaRMSNorm's output, its operations in its order."""
    dtype = hidden.dtype
    wide = hidden.to(torch.float32)
    variance = wide.pow(2).mean(-1, keepdim=True)
    wide = wide * torch.rsqrt(variance + norm.variance_epsilon)
    return norm.weight * wide.to(dtype)
