"""The longest-edge setting, said the way each image processor reads its size.

Idefics3/SmolVLM, Idefics2 and Pixtral (Mistral 3) take `size["longest_edge"]` in pixels of
the image's longest side; Qwen2-VL, Qwen2.5-VL and Qwen3-VL read the same keys as pixel
counts (`shortest_edge` the least pixels, `longest_edge` the most). Other processors resize
to a fixed tile and are left alone: the backend already scales images down to the setting.
"""

from __future__ import annotations

from typing import Any


def apply_longest_edge(image_processor: Any, edge: int) -> None:
    """Limit `image_processor`'s images to a longest side of `edge` pixels, in its own terms."""
    size = _as_dict(getattr(image_processor, "size", None))
    if size is None or not size.get("longest_edge"):
        return
    if _counts_pixels(image_processor):
        most = edge * edge
        least = min(int(size.get("shortest_edge") or most), most)
        image_processor.size = {**size, "shortest_edge": least, "longest_edge": most}
        if getattr(image_processor, "max_pixels", None) is not None:
            image_processor.max_pixels = most
        if getattr(image_processor, "min_pixels", None) is not None:
            image_processor.min_pixels = least
        return
    shortest = size.get("shortest_edge")
    changed = {**size, "longest_edge": edge}
    if shortest:
        changed["shortest_edge"] = min(int(shortest), edge)
    image_processor.size = changed


def _counts_pixels(image_processor: Any) -> bool:
    """Qwen-VL style: patches merged 2 x 2 over time and space, sizes in pixel counts."""
    return all(hasattr(image_processor, name) for name in ("merge_size", "temporal_patch_size"))


def _as_dict(size: Any) -> dict[str, Any] | None:
    if size is None:
        return None
    if isinstance(size, dict):
        return {key: value for key, value in size.items() if value is not None}
    try:
        return {key: value for key, value in dict(size).items() if value is not None}
    except (TypeError, ValueError):
        fields = ("height", "width", "longest_edge", "shortest_edge")
        found = {name: getattr(size, name, None) for name in fields}
        return {key: value for key, value in found.items() if value is not None}
