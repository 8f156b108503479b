"""Moving the pointer on Windows and macOS (capture/_windows.py, capture/_macos.py) with a fake
user32 and a fake Quartz, and the public `move_pointer`'s choice of platform."""

from __future__ import annotations

import ctypes
import sys
import types
from typing import Any

import pytest

from desktop_app import capture
from desktop_app.capture import _api, _macos, _windows
from desktop_app.core import messages
from desktop_app.core.errors import CaptureError


class Function:
    """A ctypes function: callable, with restype and argtypes to set."""

    def __init__(self, call: Any) -> None:
        self.call = call
        self.restype: Any = ctypes.c_int
        self.argtypes: Any = None

    def __call__(self, *args: Any) -> Any:
        return self.call(*args)


class User32:
    """SetCursorPos and SetThreadDpiAwarenessContext, recorded in order."""

    def __init__(self, moves: bool = True, aware: bool = True) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.moves = moves
        if aware:
            self.SetThreadDpiAwarenessContext = Function(self._context)

    def SetCursorPos(self, x: int, y: int) -> int:
        self.calls.append(("SetCursorPos", x, y))
        return int(self.moves)

    def _context(self, context: ctypes.c_void_p) -> int:
        self.calls.append(("context", ctypes.c_ssize_t(context.value or 0).value))
        return 0x11  # The thread's context before (unaware).


def _windows_with(monkeypatch: pytest.MonkeyPatch, user32: User32) -> None:
    monkeypatch.setattr(_windows, "_dll", lambda name: user32 if name == "user32" else None)


def test_windows_moves_in_physical_pixels_and_restores_the_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user32 = User32()
    _windows_with(monkeypatch, user32)
    _windows.move_pointer(-1500, 700)
    assert user32.calls == [("context", -4), ("SetCursorPos", -1500, 700), ("context", 0x11)]
    # A DPI_AWARENESS_CONTEXT is a handle: as an int it would be cut to 32 bits.
    assert user32.SetThreadDpiAwarenessContext.restype is ctypes.c_void_p


def test_windows_before_per_monitor_awareness_still_moves(monkeypatch: pytest.MonkeyPatch) -> None:
    user32 = User32(aware=False)  # Windows 8.1 and older.
    _windows_with(monkeypatch, user32)
    _windows.move_pointer(10, 20)
    assert user32.calls == [("SetCursorPos", 10, 20)]


def test_windows_refusal_is_a_capture_error(monkeypatch: pytest.MonkeyPatch) -> None:
    user32 = User32(moves=False)  # A secure desktop (UAC) has the input.
    _windows_with(monkeypatch, user32)
    with pytest.raises(CaptureError) as caught:
        _windows.move_pointer(10, 20)
    reason = "SetCursorPos failed"
    assert caught.value.message == messages.POINTER_MOVE_FAILED.format(reason=reason)
    assert user32.calls[-1] == ("context", 0x11)  # Restored even so.


def _quartz(monkeypatch: pytest.MonkeyPatch, error: int = 0) -> list[tuple[Any, ...]]:
    calls: list[tuple[Any, ...]] = []
    quartz = types.ModuleType("Quartz")

    def warp(point: tuple[float, float]) -> int:
        calls.append(("warp", point))
        return error

    quartz.CGWarpMouseCursorPosition = warp  # type: ignore[attr-defined]
    quartz.CGAssociateMouseAndMouseCursorPosition = lambda on: calls.append(("associate", on))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "Quartz", quartz)
    return calls


def test_macos_warps_in_points_and_frees_the_mouse(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _quartz(monkeypatch)
    _macos.move_pointer(640, -20)
    assert calls == [("warp", (640.0, -20.0)), ("associate", True)]


def test_macos_refusal_is_a_capture_error(monkeypatch: pytest.MonkeyPatch) -> None:
    _quartz(monkeypatch, error=1000)  # kCGErrorFailure
    with pytest.raises(CaptureError) as caught:
        _macos.move_pointer(1, 2)
    reason = "CGWarpMouseCursorPosition error 1000"
    assert caught.value.message == messages.POINTER_MOVE_FAILED.format(reason=reason)


def test_macos_without_pyobjc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "Quartz", None)
    with pytest.raises(CaptureError) as caught:
        _macos.move_pointer(1, 2)
    assert caught.value.message == messages.CAPTURE_NEEDS_PACKAGE.format(
        package="pyobjc-framework-Quartz"
    )


def test_the_public_function_asks_no_screen_permission(monkeypatch: pytest.MonkeyPatch) -> None:
    moves: list[tuple[int, int]] = []

    def refuse() -> None:
        raise AssertionError("moving the pointer needs no permission to read the screen")

    platform = types.SimpleNamespace(
        move_pointer=lambda x, y: moves.append((x, y)), check_access=refuse
    )
    monkeypatch.setattr(_api, "current", lambda: platform)
    capture.move_pointer(3, 4)
    assert moves == [(3, 4)]
