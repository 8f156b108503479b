"""The longest-edge setting, said the way each image processor reads its size.

Idefics3/SmolVLM, Idefics2 and Pixtral (Mistral 3) take `size["longest_edge"]` in pixels of
the image's longest side; Qwen2-VL, Qwen2.5-VL and Qwen3-VL read the same keys as pixel
counts (`shortest_edge` the least pixels, `longest_edge` the most). Other processors resize
to a fixed tile and are left alone: the backend already scales images down to the setting.

`square_in_one_resize`: Idefics3/SmolVLM without tiles resize each image twice, to a longest
side of 2048 (`size`, the tiles' canvas) and then to one square tile (`max_image_size`); with
no tiles the first resize only costs time (Iris's CPU default: 70 ms of a 1920x1080
screenshot's 110 ms, 80 of 160 ms at 2880x1800, 60 of a small image's 75 ms, which it
enlarged first). The tile from one resize differs from the two-step one by 0.1-0.4 of 255
levels on average (at most 30, at a few sharp edges: the two resampling filters ring
differently). "More detail" turns tiles, and that first resize, back on for its request
(`families.detail_options`).
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


def square_in_one_resize(image_processor: Any) -> bool:
    """Have an Idefics3/SmolVLM processor that makes no tiles resize each image straight to
    its square tile; whether it does (other processors, and tiling ones, are left alone)."""
    if not hasattr(image_processor, "resize_for_vision_encoder"):
        return False
    if getattr(image_processor, "do_image_splitting", True) or not _square_tile(image_processor):
        return False
    image_processor.do_resize = False
    return True


def _square_tile(image_processor: Any) -> bool:
    """Whether the processor says the side of its square tile (`max_image_size`)."""
    tile = _as_dict(getattr(image_processor, "max_image_size", None))
    return tile is not None and bool(tile.get("longest_edge"))


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
