"""Hypothesis strategies for image files: valid ones made with Pillow, then mutated.

A `Sample` is the bytes of one file and how they were made. Valid files come in every
format and mode Pillow can write here (found by trying, so a Pillow upgrade widens the set),
at ordinary, 1x1 and 1x100000-like sizes, single-frame or animated. Mutations truncate,
overwrite, splice and patch the header's declared width and height; pure random bytes, with
or without a real signature in front, join them.
"""

from __future__ import annotations

import io
import random
import struct
import zlib
from dataclasses import dataclass
from functools import cache

from hypothesis import strategies as st
from PIL import Image

FORMATS = ("PNG", "JPEG", "GIF", "WEBP", "BMP", "TIFF", "ICO", "PPM", "TGA")
MODES = ("1", "L", "LA", "P", "PA", "RGB", "RGBA", "RGBX", "CMYK", "YCbCr", "LAB", "HSV",
         "I", "I;16", "I;16B", "F")  # fmt: skip
ANIMATED = ("PNG", "GIF", "WEBP", "TIFF")
WITH_EXIF = ("JPEG", "PNG", "WEBP", "TIFF")
MAX_SIDE = {"WEBP": 16383, "GIF": 65535, "JPEG": 65500, "ICO": 256, "TGA": 65535}
"""The largest side each format can store (others: no limit that matters here)."""

SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF89a", b"GIF87a", b"RIFF\0\0\0\0WEBPVP8 ",
              b"BM", b"II*\0", b"MM\0*", b"P6\n", b"\0\0\1\0")  # fmt: skip
HUGE_SIDES = (0, 1, 8000, 9000, 10_000, 16384, 65535, 100_000, 2**24 - 1, 2**31 - 1, 2**32 - 1)
"""Declared widths and heights to patch into headers."""

SIZES = st.one_of(
    st.tuples(st.integers(1, 48), st.integers(1, 48)),
    st.sampled_from([(1, 1), (1, 100_000), (100_000, 1), (2, 30_000)]),
)


@dataclass(frozen=True)
class Sample:
    """One generated file: its bytes and a short account of how it was made."""

    data: bytes
    recipe: str
    intact: bool
    """True when these are the bytes Pillow wrote, unmutated: the loader must accept them."""
    size: tuple[int, int] = (0, 0)


@cache
def writable_modes(image_format: str) -> tuple[str, ...]:
    """The modes Pillow can save in `image_format` (tried once on a 2x2 image)."""
    found = []
    for mode in MODES:
        try:
            _encode(Image.new(mode, (2, 2)), image_format)
        except (OSError, ValueError, KeyError, TypeError):
            continue
        found.append(mode)
    return tuple(found)


def picture(mode: str, size: tuple[int, int], seed: int) -> Image.Image:
    """A noisy picture of `size` in `mode` (random bytes in RGB, converted)."""
    noise = random.Random(seed).randbytes(min(size[0] * size[1], 4096) * 3)
    small = Image.frombytes("RGB", (len(noise) // 3, 1), noise)
    rgb = small.resize(size, Image.Resampling.NEAREST) if small.size != size else small
    if mode in ("I", "I;16", "I;16B", "F"):
        return rgb.convert("L").convert("I").point(lambda v: v * 200).convert(mode)
    if mode in ("LA", "PA"):
        return rgb.convert("RGBA").convert(mode)
    return rgb.convert(mode)


def _encode(image: Image.Image, image_format: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


@st.composite
def valid_files(draw: st.DrawFn) -> Sample:
    """A well-formed file of any format, mode, size, and sometimes several frames."""
    image_format = draw(st.sampled_from(FORMATS))
    mode = draw(st.sampled_from(writable_modes(image_format)))
    width, height = draw(SIZES)
    limit = MAX_SIDE.get(image_format, 10**9)
    size = (min(width, limit), min(height, limit))
    seed = draw(st.integers(0, 2**16))
    frames = draw(st.integers(1, 3)) if image_format in ANIMATED else 1
    images = [picture(mode, size, seed + index) for index in range(frames)]
    options: dict[str, object] = {}
    if frames > 1:
        options = {"save_all": True, "append_images": images[1:]}
        if image_format != "TIFF":
            options |= {"duration": 50, "loop": 0}
    if image_format == "ICO":
        options["sizes"] = [size]  # else Pillow stores standard icon sizes only
    if image_format in WITH_EXIF and draw(st.booleans()):
        exif = Image.Exif()
        exif[0x0112] = draw(st.sampled_from((1, 2, 3, 4, 5, 6, 7, 8, 0, 9, 65535)))  # orientation
        options["exif"] = exif.tobytes()
    data = _encode(images[0], image_format, **options)
    recipe = f"{image_format} {mode} {size[0]}x{size[1]} frames={frames}"
    return Sample(data, recipe, intact=True, size=size)


def patch_dimensions(data: bytes, width: int, height: int) -> bytes:
    """`data` with the width and height its header declares replaced (where it is known how)."""
    patched = bytearray(data)
    if data.startswith(b"\x89PNG") and len(data) >= 33:
        patched[16:24] = struct.pack(">II", width % 2**32, height % 2**32)
        patched[29:33] = struct.pack(">I", zlib.crc32(bytes(patched[12:29])))
    elif data.startswith(b"GIF") and len(data) >= 10:
        patched[6:10] = struct.pack("<HH", width % 2**16, height % 2**16)
    elif data.startswith(b"BM") and len(data) >= 26:
        patched[18:26] = struct.pack("<ii", width % 2**31, height % 2**31)
    elif data.startswith(b"\xff\xd8"):
        _patch_jpeg(patched, width, height)
    elif data.startswith(b"RIFF"):
        _patch_webp(patched, width, height)
    elif data.startswith(b"II*\0"):
        _patch_tiff(patched, width, height)
    elif data[:1] == b"P" and data.count(b"\n") >= 2:
        magic, _, rest = data.split(b"\n", 2)
        return magic + f"\n{width} {height}\n".encode() + rest
    return bytes(patched)


def _patch_jpeg(patched: bytearray, width: int, height: int) -> None:
    for marker in (b"\xff\xc0", b"\xff\xc2", b"\xff\xc1"):
        at = patched.find(marker)
        if at >= 0 and at + 9 <= len(patched):
            patched[at + 5 : at + 9] = struct.pack(">HH", height % 2**16, width % 2**16)
            return


def _patch_webp(patched: bytearray, width: int, height: int) -> None:
    kind = bytes(patched[12:16])
    if kind == b"VP8X" and len(patched) >= 30:
        patched[24:27] = ((width - 1) % 2**24).to_bytes(3, "little")
        patched[27:30] = ((height - 1) % 2**24).to_bytes(3, "little")
    elif kind == b"VP8 " and len(patched) >= 30:
        patched[26:30] = struct.pack("<HH", width % 2**14, height % 2**14)
    elif kind == b"VP8L" and len(patched) >= 25:
        bits = ((width - 1) % 2**14) | (((height - 1) % 2**14) << 14)
        old = int.from_bytes(patched[21:25], "little")
        patched[21:25] = (bits | (old & ~(2**28 - 1))).to_bytes(4, "little")


def _patch_tiff(patched: bytearray, width: int, height: int) -> None:
    if len(patched) < 8:
        return
    (offset,) = struct.unpack("<I", patched[4:8])
    if offset + 2 > len(patched):
        return
    (count,) = struct.unpack("<H", patched[offset : offset + 2])
    for index in range(count):
        entry = offset + 2 + 12 * index
        if entry + 12 > len(patched):
            return
        tag, kind = struct.unpack("<HH", patched[entry : entry + 4])
        if tag in (256, 257):
            value = width if tag == 256 else height
            if kind == 3:
                patched[entry + 8 : entry + 12] = struct.pack("<HH", value % 2**16, 0)
            else:
                patched[entry + 8 : entry + 12] = struct.pack("<I", value % 2**32)


@st.composite
def mutated_files(draw: st.DrawFn) -> Sample:
    """A valid file damaged by one to three mutations."""
    sample = draw(valid_files())
    data = sample.data
    steps = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["truncate", "flip", "splice", "dimensions", "repeat"]))
        if kind == "truncate" and data:
            cut = draw(st.integers(0, len(data) - 1))
            data, step = data[:cut], f"truncate@{cut}"
        elif kind == "flip" and data:
            changed = bytearray(data)
            where = st.one_of(
                st.integers(0, min(len(data), 300) - 1), st.integers(0, len(data) - 1)
            )
            flips = draw(st.lists(st.tuples(where, st.integers(0, 255)), min_size=1, max_size=8))
            for at, value in flips:
                changed[at] = value
            data, step = bytes(changed), f"flip{flips}"
        elif kind == "splice":
            other = draw(valid_files()).data
            at = draw(st.integers(0, len(data)))
            start = draw(st.integers(0, max(0, len(other) - 1)))
            data = data[:at] + other[start : start + draw(st.integers(1, 512))] + data[at:]
            step = f"splice@{at}"
        elif kind == "dimensions":
            width, height = draw(st.sampled_from(HUGE_SIDES)), draw(st.sampled_from(HUGE_SIDES))
            data, step = patch_dimensions(data, width, height), f"declare {width}x{height}"
        else:
            at = draw(st.integers(0, max(0, len(data) - 1)))
            data = data[:at] + data[at : at + 64] * draw(st.integers(2, 50)) + data[at + 64 :]
            step = f"repeat@{at}"
        steps.append(step)
    return Sample(data, f"{sample.recipe} | {', '.join(steps)}", intact=False)


@st.composite
def random_files(draw: st.DrawFn) -> Sample:
    """Random bytes, sometimes behind a real image signature."""
    prefix = draw(st.sampled_from((b"", *SIGNATURES)))
    data = prefix + draw(st.binary(min_size=0 if prefix else 1, max_size=1024))
    return Sample(data, f"random bytes after {prefix!r}", intact=False)


def any_file() -> st.SearchStrategy[Sample]:
    """Valid, mutated and random files, mutated ones most often."""
    return st.one_of(valid_files(), mutated_files(), mutated_files(), random_files())


def bomb_png(width: int, height: int) -> bytes:
    """A real, tiny 1-bit PNG of `width` x `height` zero pixels (compresses about 1000:1)."""
    row = b"\0" + b"\0" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()

    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + payload))
        return struct.pack(">I", len(payload)) + kind + payload + crc

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


def encoded(image: Image.Image, image_format: str, **options: object) -> bytes:
    """`image` saved in `image_format`, as bytes."""
    return _encode(image, image_format, **options)


def _broken_png_chunk() -> bytes:
    data = encoded(Image.effect_noise((300, 300), 50), "PNG", compress_level=0)
    second = data.index(b"IDAT", data.index(b"IDAT") + 4)
    return data[:second] + b"/2\xf4-" + data[second + 4 :]


def found_by_fuzzing() -> dict[str, Sample]:
    """Inputs the fuzzer found that Iris handled badly before, as regression examples."""
    gif = encoded(picture("P", (8, 8), 1), "GIF")
    jpeg = encoded(picture("RGB", (8, 8), 1), "JPEG")
    found = {
        # The decoder's own words reached the user: "invalid literal for int() with base
        # 10: b'K'", "b'Token too long in file header: \xb2\xf9...'", "broken PNG file
        # (chunk b'/2\xf4-')".
        "ppm-bad-number": b"P6\nK",
        "ppm-junk-token": b"P6\n\xb2\xf9\xc9Ke.\x94\xfb\x07\xa9\x9e\xbcf\xdc",
        "png-broken-chunk": _broken_png_chunk(),
        # Pillow's "Corrupt EXIF data" warning was printed on stderr.
        "tiff-corrupt-exif": b"II*\x00\xfc^\xb5@",
        # Accepted as 80 megapixels from about 100 bytes: 0.5 GB and 7-10 s in `iris`.
        "gif-canvas-bomb": patch_dimensions(gif, 8000, 10_000),
        "jpeg-declares-80-megapixels": patch_dimensions(jpeg, 8000, 10_000),
        # Extremes: a real 144-megapixel file, and sides of 2^31.
        "png-144-megapixels": bomb_png(12_000, 12_000),
        "png-declares-2^31": patch_dimensions(bomb_png(8, 8), 2**31 - 1, 2**31 - 1),
    }
    return {name: Sample(data, f"found: {name}", intact=False) for name, data in found.items()}


def degenerate_valid() -> dict[str, Sample]:
    """Valid files that must load: 1x1, 1x100000, 100000x1, and the most compressed
    legitimate image near the size limit (8000x10000 one-bit PNG, about 8000 pixels a byte)."""
    cases = {
        "1x1": ((1, 1), encoded(picture("P", (1, 1), 2), "GIF")),
        "1x100000": ((1, 100_000), encoded(picture("RGB", (1, 100_000), 3), "PNG")),
        "100000x1": ((100_000, 1), encoded(picture("LA", (100_000, 1), 4), "TIFF")),
        "8000x10000-one-bit": ((8000, 10_000), bomb_png(8000, 10_000)),
    }
    return {
        name: Sample(data, f"valid {name}", intact=True, size=size)
        for name, (size, data) in cases.items()
    }
