"""A request as an OpenAI chat-completions body: images as base64 data URLs, made in memory."""

from __future__ import annotations

import base64
import io
from collections import OrderedDict
from typing import Any

from PIL import Image

from desktop_app.core.types import Request
from desktop_app.engine.images import fit_longest_edge, to_rgb


class ImageEncoder:
    """PNG data URLs of images scaled to a longest edge; the last few are remembered, so a
    follow-up does not encode the conversation's images again. Nothing touches the disk."""

    KEEP = 8

    def __init__(self) -> None:
        self._done: OrderedDict[tuple[int, int], tuple[Any, str]] = OrderedDict()

    def data_url(self, image: Image.Image, longest_edge: int) -> str:
        """ "data:image/png;base64,..." for `image` at most `longest_edge` pixels long."""
        key = (id(image), longest_edge)
        kept = self._done.get(key)
        if kept is not None and kept[0] is image:
            self._done.move_to_end(key)
            return kept[1]
        scaled = to_rgb(fit_longest_edge(image, longest_edge))
        buffer = io.BytesIO()
        scaled.save(buffer, format="PNG", compress_level=3)
        url = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
        self._done[key] = (image, url)
        while len(self._done) > self.KEEP:
            self._done.popitem(last=False)
        return url


def chat_body(
    request: Request, model: str, encoder: ImageEncoder, longest_edge: int
) -> dict[str, Any]:
    """The streaming chat-completions request for `request`: few-shot examples first, then
    every turn with its images and, for earlier turns, the answer given."""
    messages: list[dict[str, Any]] = []
    first_text = request.turns[0].text
    for example in request.examples:
        messages.append(_user(first_text, [encoder.data_url(example.image, longest_edge)]))
        messages.append({"role": "assistant", "content": example.answer})
    for turn in request.turns:
        urls = [encoder.data_url(image, longest_edge) for image in turn.images]
        messages.append(_user(turn.text, urls))
        if turn.answer is not None:
            messages.append({"role": "assistant", "content": turn.answer})
    return {
        "model": model,
        "messages": messages,
        "stream": True,
        "stream_options": {"include_usage": True},
        "max_tokens": request.max_new_tokens,
        "temperature": 0,
    }


def _user(text: str, image_urls: list[str]) -> dict[str, Any]:
    content: list[dict[str, Any]] = [
        {"type": "image_url", "image_url": {"url": url}} for url in image_urls
    ]
    content.append({"type": "text", "text": text})
    return {"role": "user", "content": content}


def closest_choice(text: str, choices: tuple[str, ...]) -> str:
    """The one allowed answer that `text` names (servers cannot be constrained as the local
    model is); `text` itself when it names none or several."""
    said = " ".join(text.lower().replace(".", " ").split())
    exact = [choice for choice in choices if choice.lower() == said]
    if exact:
        return exact[0]
    named = [choice for choice in choices if choice.lower() in said]
    return named[0] if len(named) == 1 else text
