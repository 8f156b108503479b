"""A private X server (Xvfb) for tests that need a real display."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def xvfb(width: int = 1280, height: int = 800) -> Iterator[str]:
    """Start Xvfb on a free display number; yield the DISPLAY string; stop it afterwards."""
    binary = shutil.which("Xvfb")
    if binary is None:
        raise RuntimeError("Xvfb is not installed (./test.sh installs it when run as root)")
    read_end, write_end = os.pipe()
    process = subprocess.Popen(
        [binary, "-displayfd", str(write_end), "-screen", "0", f"{width}x{height}x24",
         "-nolisten", "tcp", "-noreset"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    os.close(write_end)
    try:
        with os.fdopen(read_end) as announced:
            number = announced.readline().strip()
        if not number:
            raise RuntimeError("Xvfb did not start")
        yield f":{number}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def xvfb_display(width: int = 1280, height: int = 800) -> Iterator[str]:
    """`xvfb`, with DISPLAY pointing at it until the block ends (then as it was)."""
    previous = os.environ.get("DISPLAY")
    with xvfb(width, height) as name:
        os.environ["DISPLAY"] = name
        try:
            yield name
        finally:
            if previous is None:
                os.environ.pop("DISPLAY", None)
            else:
                os.environ["DISPLAY"] = previous


@contextmanager
def root_picture(display: str, picture: Path) -> Iterator[None]:
    """Show `picture` (a file) as the display's background, as a desktop with something on it;
    black again afterwards (an empty Xvfb screen is black: a capture Iris refuses as blank)."""
    show = ["display", "-window", "root"]
    here = str(picture.parent)  # ImageMagick's own temporary files stay beside the picture
    env = {**os.environ, "DISPLAY": display, "TMPDIR": here, "MAGICK_TEMPORARY_PATH": here}
    subprocess.run([*show, str(picture)], env=env, timeout=30, check=False)  # exits 1 when done
    try:
        yield
    finally:
        subprocess.run([*show, "xc:black"], env=env, timeout=30, check=False)
