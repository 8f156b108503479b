"""Chat templates and special tokens of the other families' checkpoints (Qwen-VL, Gemma 3,
LLaVA-NeXT/OneVision, Mistral 3, InternVL, Aya Vision, LFM2-VL, PaliGemma).

Each template renders the prompt its checkpoint's chat_template.json renders for Iris's
messages (a list of image and text items per turn); tool calls, system prompts and videos
are left out where Iris never sends them.
"""

from __future__ import annotations

from desktop_app.testing._tokenizer import TokenizerSpec

QWEN2_VL_TEMPLATE = (
    "{% set image_count = namespace(value=0) %}{% for message in messages %}"
    "{% if loop.first and message['role'] != 'system' %}"
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n{% endif %}"
    "<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}<|im_end|>\n"
    "{% else %}{% for content in message['content'] %}"
    "{% if content['type'] == 'image' %}{% set image_count.value = image_count.value + 1 %}"
    "<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif content['type'] == 'video' %}<|vision_start|><|video_pad|><|vision_end|>"
    "{% elif 'text' in content %}{{ content['text'] }}{% endif %}{% endfor %}<|im_end|>\n"
    "{% endif %}{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
"""Qwen/Qwen2-VL-2B-Instruct and Qwen2.5-VL-3B-Instruct (the same template)."""

QWEN3_VL_TEMPLATE = (
    "{%- for message in messages %}<|im_start|>{{ message['role'] }}\n"
    "{%- if message['content'] is string %}{{ message['content'] }}"
    "{%- else %}{%- for content in message['content'] %}"
    "{%- if content['type'] == 'image' %}<|vision_start|><|image_pad|><|vision_end|>"
    "{%- elif content['type'] == 'video' %}<|vision_start|><|video_pad|><|vision_end|>"
    "{%- elif 'text' in content %}{{ content['text'] }}{%- endif %}{%- endfor %}{%- endif %}"
    "<|im_end|>\n{%- endfor %}{%- if add_generation_prompt %}<|im_start|>assistant\n{%- endif %}"
)
"""Qwen/Qwen3-VL-2B-Instruct, without tools and thinking."""

GEMMA3_TEMPLATE = (
    "{{ bos_token }}{%- for message in messages -%}"
    "{%- if message['role'] == 'assistant' -%}{%- set role = 'model' -%}"
    "{%- else -%}{%- set role = message['role'] -%}{%- endif -%}"
    "{{ '<start_of_turn>' + role + '\n' }}"
    "{%- if message['content'] is string -%}{{ message['content'] | trim }}"
    "{%- else -%}{%- for item in message['content'] -%}"
    "{%- if item['type'] == 'image' -%}{{ '<start_of_image>' }}"
    "{%- elif item['type'] == 'text' -%}{{ item['text'] | trim }}{%- endif -%}"
    "{%- endfor -%}{%- endif -%}{{ '<end_of_turn>\n' }}{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{ '<start_of_turn>model\n' }}{%- endif -%}"
)
"""google/gemma-3-4b-it, without the system turn: it starts with `{{ bos_token }}`."""

AYA_VISION_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}"
    "{% if message['role'] == 'user' %}<|START_OF_TURN_TOKEN|><|USER_TOKEN|>"
    "{% else %}<|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>{% endif %}"
    "{% for item in message['content'] %}{% if item['type'] == 'image' %}<image>"
    "{% elif item['type'] == 'text' %}{{ item['text'] }}{% endif %}{% endfor %}"
    "<|END_OF_TURN_TOKEN|>{% endfor %}"
    "{% if add_generation_prompt %}<|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>{% endif %}"
)
"""CohereForAI/aya-vision-8b, without the system preamble: it starts with `{{ bos_token }}`."""

LFM2_VL_TEMPLATE = (
    "{{- bos_token -}}{%- for message in messages -%}"
    "{{- '<|im_start|>' + message['role'] + '\n' -}}"
    "{%- if message['content'] is string -%}{{- message['content'] -}}"
    "{%- else -%}{%- for item in message['content'] -%}"
    "{%- if item['type'] == 'image' -%}{{- '<image>' -}}"
    "{%- elif item['type'] == 'text' -%}{{- item['text'] -}}{%- endif -%}{%- endfor -%}"
    "{%- endif -%}{{- '<|im_end|>\n' -}}{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\n' -}}{%- endif -%}"
)
"""LiquidAI/LFM2-VL-450M: ChatML after `{{ bos_token }}`."""

MISTRAL3_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}"
    "{% if message['role'] == 'user' %}[INST]{% for item in message['content'] %}"
    "{% if item['type'] == 'text' %}{{ item['text'] }}{% elif item['type'] == 'image' %}[IMG]"
    "{% endif %}{% endfor %}[/INST]"
    "{% elif message['role'] == 'assistant' %}{% for item in message['content'] %}"
    "{% if item['type'] == 'text' %}{{ item['text'] }}{% endif %}{% endfor %}{{ eos_token }}"
    "{% endif %}{% endfor %}"
)
"""mistralai/Mistral-Small-3.1-24B-Instruct-2503, without the system prompt."""

LLAVA_NEXT_TEMPLATE = (
    "{% for message in messages %}{% if message['role'] == 'user' %}{{ '[INST] ' }}"
    "{% for content in message['content'] | selectattr('type', 'equalto', 'image') %}"
    "{{ '<image>\n' }}{% endfor %}"
    "{% for content in message['content'] | selectattr('type', 'equalto', 'text') %}"
    "{{ content['text'] }}{% endfor %}{{ ' [/INST]' }}"
    "{% elif message['role'] == 'assistant' %}{{ ' ' + message['content'][0]['text'] + '</s> ' }}"
    "{% endif %}{% endfor %}"
)
"""llava-hf/llava-v1.6-mistral-7b-hf (its tokenizer prepends the bos)."""

LLAVA_ONEVISION_TEMPLATE = (
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + ' ' }}"
    "{% for content in message['content'] | selectattr('type', 'equalto', 'image') %}"
    "{{ '<image>' }}{% endfor %}"
    "{% for content in message['content'] | selectattr('type', 'equalto', 'text') %}"
    "{{ '\n' + content['text'] }}{% endfor %}{{ '<|im_end|>' }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
"""llava-hf/llava-onevision-qwen2-0.5b-ov-hf."""

INTERNVL_TEMPLATE = (
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' }}"
    "{% if message['content'] is string %}{{ message['content'] }}{% else %}"
    "{% for content in message['content'] %}"
    "{% if content['type'] == 'image' %}{{ '<IMG_CONTEXT>\n' }}"
    "{% elif content['type'] == 'text' %}{{ content['text'] }}{% endif %}{% endfor %}{% endif %}"
    "{{ '<|im_end|>\n' }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
"""OpenGVLab/InternVL3-1B-hf, without its default system prompt."""

_CHATML = ("<|endoftext|>", "<|im_start|>", "<|im_end|>")
_LLAMA = ("<unk>", "<s>", "</s>")

QWEN_VL_TOKENS = TokenizerSpec(
    leading=_CHATML,
    extra=("<|vision_start|>", "<|vision_end|>", "<|image_pad|>", "<|video_pad|>"),
    eos="<|im_end|>",
    pad="<|endoftext|>",
)
"""Qwen2 chat tokens (no bos) plus the vision tokens."""

GEMMA3_TOKENS = TokenizerSpec(
    leading=("<pad>", "<eos>", "<bos>", "<unk>"),
    extra=(
        "<start_of_turn>",
        "<end_of_turn>",
        "<start_of_image>",
        "<end_of_image>",
        "<image_soft_token>",
    ),
    bos="<bos>",
    eos="<eos>",
    pad="<pad>",
    unk="<unk>",
    add_bos=True,
    named=(
        ("boi_token", "<start_of_image>"),
        ("eoi_token", "<end_of_image>"),
        ("image_token", "<image_soft_token>"),
    ),
)
"""Gemma 3 tokens; its tokenizer prepends `<bos>`, and so does its chat template."""

PALIGEMMA_TOKENS = TokenizerSpec(
    leading=("<pad>", "<eos>", "<bos>", "<unk>"),
    extra=("<image>",),
    bos="<bos>",
    eos="<eos>",
    pad="<pad>",
    unk="<unk>",
    add_bos=True,
    named=(("image_token", "<image>"),),
)
"""Gemma tokens plus `<image>` (PaliGemma has no chat template)."""

AYA_VISION_TOKENS = TokenizerSpec(
    leading=("<PAD>", "<UNK>", "<BOS_TOKEN>", "<EOS_TOKEN>"),
    extra=(
        *("<|START_OF_TURN_TOKEN|>", "<|END_OF_TURN_TOKEN|>", "<|USER_TOKEN|>"),
        *("<|CHATBOT_TOKEN|>", "<image>", "<|START_OF_IMG|>", "<|END_OF_IMG|>"),
        *("<|IMG_PATCH|>", "<|IMG_LINE_BREAK|>", "TILE", "TILE_GLOBAL"),
    ),
    bos="<BOS_TOKEN>",
    eos="<|END_OF_TURN_TOKEN|>",
    pad="<PAD>",
    unk="<UNK>",
    add_bos=True,
)
"""Cohere 2 tokens plus Aya Vision's image tokens; its tokenizer prepends `<BOS_TOKEN>`."""

LFM2_VL_TOKENS = TokenizerSpec(
    leading=("<|pad|>", "<|startoftext|>", "<|endoftext|>", "<|im_start|>", "<|im_end|>"),
    extra=(
        *("<image>", "<|image_start|>", "<|image_end|>", "<|img_thumbnail|>"),
        *(f"<|img_row_{r}_col_{c}|>" for r in range(1, 4) for c in range(1, 4)),
    ),
    bos="<|startoftext|>",
    eos="<|im_end|>",
    pad="<|pad|>",
    add_bos=True,
)
"""LFM2 tokens plus LFM2-VL's image tokens; its tokenizer prepends `<|startoftext|>`."""

MISTRAL3_TOKENS = TokenizerSpec(
    leading=_LLAMA,
    extra=("[INST]", "[/INST]", "[IMG]", "[IMG_BREAK]", "[IMG_END]"),
    bos="<s>",
    eos="</s>",
    pad="<unk>",
    unk="<unk>",
    add_bos=True,
)
"""Mistral (Tekken-like) tokens plus Pixtral's image tokens; the tokenizer prepends `<s>`."""

LLAVA_NEXT_TOKENS = TokenizerSpec(
    leading=_LLAMA,
    extra=("<image>",),
    bos="<s>",
    eos="</s>",
    pad="<unk>",
    unk="<unk>",
    add_bos=True,
)
"""Mistral tokens plus LLaVA's `<image>`."""

LLAVA_ONEVISION_TOKENS = TokenizerSpec(
    leading=_CHATML,
    extra=("<image>", "<video>"),
    eos="<|im_end|>",
    pad="<|endoftext|>",
    named=(("image_token", "<image>"), ("video_token", "<video>")),
)
"""Qwen2 chat tokens plus LLaVA's `<image>` and `<video>`."""

INTERNVL_TOKENS = TokenizerSpec(
    leading=_CHATML,
    extra=("<img>", "</img>", "<IMG_CONTEXT>", "<video>"),
    eos="<|im_end|>",
    pad="<|endoftext|>",
    named=(
        ("start_image_token", "<img>"),
        ("end_image_token", "</img>"),
        ("context_image_token", "<IMG_CONTEXT>"),
        ("video_token", "<video>"),
    ),
)
"""Qwen2 chat tokens plus InternVL's image tokens."""
