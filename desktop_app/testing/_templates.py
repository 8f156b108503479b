"""Chat templates and special tokens of the real checkpoints the tiny models imitate."""

from __future__ import annotations

from desktop_app.testing._tokenizer import TokenizerSpec

_USER_ASSISTANT_BODY = (
    "{% for message in messages %}{{message['role'] | capitalize}}"
    "{% if message['content'][0]['type'] == 'image' %}{{':'}}{% else %}{{': '}}{% endif %}"
    "{% for line in message['content'] %}{% if line['type'] == 'text' %}{{line['text']}}"
    "{% elif line['type'] == 'image' %}{{ '<image>' }}"
    "{VIDEO}"
    "{% endif %}{% endfor %}<end_of_utterance>\n{% endfor %}"
    "{% if add_generation_prompt %}{{ 'Assistant:' }}{% endif %}"
)

IDEFICS2_TEMPLATE = _USER_ASSISTANT_BODY.replace("{VIDEO}", "")
"""HuggingFaceM4/idefics2-8b: `User:<image>Hi<end_of_utterance>\\nAssistant:` (bos added)."""

SMOLVLM_TEMPLATE = "<|im_start|>" + IDEFICS2_TEMPLATE
"""HuggingFaceTB/SmolVLM-256M/500M-Instruct: the Idefics2 format after `<|im_start|>`."""

SMOLVLM2_TEMPLATE = "<|im_start|>" + _USER_ASSISTANT_BODY.replace(
    "{VIDEO}", "{% elif line['type'] == 'video' %}{{ '<video>' }}"
)
"""HuggingFaceTB/SmolVLM2-*-Video-Instruct: the SmolVLM format, plus `<video>`."""

LLAVA_INTERLEAVE_TEMPLATE = (
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + ' '}}"
    "{# Render all images first #}"
    "{% for content in message['content'] | selectattr('type', 'equalto', 'image') %}"
    "{{ '<image>' }}{% endfor %}"
    "{# Render all text next #}"
    "{% for content in message['content'] | selectattr('type', 'equalto', 'text') %}"
    "{{ '\n' + content['text'] }}{% endfor %}{{'<|im_end|>'}}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant' }}{% endif %}"
)
"""llava-hf/llava-interleave-qwen-0.5b-hf: `<|im_start|>user <image>\\nHi<|im_end|>` (ChatML)."""

ROW_COL_TOKENS = tuple(f"<row_{i}_col_{j}>" for i in range(1, 7) for j in range(1, 7))
"""The grid tags Idefics3/SmolVLM processors write before each crop (up to 6 x 6)."""

_CHATML = ("<|endoftext|>", "<|im_start|>", "<|im_end|>")
_LLAMA = ("<unk>", "<s>", "</s>")

SMOLVLM_TOKENS = TokenizerSpec(
    leading=_CHATML,
    extra=(
        "<fake_token_around_image>",
        "<image>",
        "<end_of_utterance>",
        "<global-img>",
        *ROW_COL_TOKENS,
    ),
    bos="<|im_start|>",
    eos="<end_of_utterance>",
    pad="<|im_end|>",
    unk="<|endoftext|>",
)
"""SmolLM2 tokens plus SmolVLM's image tokens; the template writes `<|im_start|>` itself."""

SMOLVLM2_TOKENS = TokenizerSpec(
    leading=SMOLVLM_TOKENS.leading,
    extra=(*SMOLVLM_TOKENS.extra, "<video>"),
    bos=SMOLVLM_TOKENS.bos,
    eos=SMOLVLM_TOKENS.eos,
    pad=SMOLVLM_TOKENS.pad,
    unk=SMOLVLM_TOKENS.unk,
)

IDEFICS2_TOKENS = TokenizerSpec(
    leading=_LLAMA,
    extra=("<fake_token_around_image>", "<image>", "<end_of_utterance>"),
    bos="<s>",
    eos="</s>",
    pad="<unk>",
    unk="<unk>",
    add_bos=True,
)
"""Mistral tokens (bos prepended) plus Idefics2's image tokens."""

IDEFICS_TOKENS = TokenizerSpec(
    leading=_LLAMA,
    extra=("<end_of_utterance>", "<fake_token_around_image>", "<image>"),
    bos="<s>",
    eos="</s>",
    pad="<unk>",
    unk="<unk>",
    add_bos=True,
)
"""LLaMA tokens; the last two are IDEFICS's `additional_vocab_size` (decoupled) tokens.

`eos` stays `</s>`: the IDEFICS processor cuts image attention after each tokenizer eos, so
`<end_of_utterance>` is the end of turn only in generation_config.json.
"""

QWEN2_TOKENS = TokenizerSpec(
    leading=_CHATML,
    extra=("<image>",),
    eos="<|im_end|>",
    pad="<|endoftext|>",
)
"""Qwen2 chat tokens (no bos) plus LLaVA's `<image>`."""
