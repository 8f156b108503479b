"""Global hotkeys on Windows: RegisterHotKey on a thread with its own message loop (ctypes).

Untested in CI (Linux only); kept small on purpose.
"""

from __future__ import annotations

import ctypes
import logging
import queue
import string
import sys
import threading
from collections.abc import Callable, Mapping
from ctypes import wintypes
from typing import Any

from desktop_app.core import messages
from desktop_app.hotkeys._keys import Hotkey, format_hotkey
from desktop_app.hotkeys._listener import Request, check_bindings

_LOG = logging.getLogger(__name__)
_WM_HOTKEY, _WM_QUIT, _WM_APPLY = 0x0312, 0x0012, 0x8001  # WM_APP + 1: serve the queue.
_PM_NOREMOVE = 0
_ERROR_HOTKEY_ALREADY_REGISTERED = 1409
_MOD_NOREPEAT = 0x4000
_MODS = {"alt": 0x1, "ctrl": 0x2, "shift": 0x4, "super": 0x8}
_NAMED_VKS = {
    "space": 0x20,
    "escape": 0x1B,
    "tab": 0x09,
    "enter": 0x0D,
    "backspace": 0x08,
    "pause": 0x13,
    "print": 0x2C,
    "home": 0x24,
    "end": 0x23,
    "insert": 0x2D,
    "delete": 0x2E,
    "pageup": 0x21,
    "pagedown": 0x22,
    "left": 0x25,
    "up": 0x26,
    "right": 0x27,
    "down": 0x28,
}
_TIMEOUT_S = 5.0


def virtual_key(key: str) -> int:
    """The Windows virtual-key code of a canonical key name."""
    if key in _NAMED_VKS:
        return _NAMED_VKS[key]
    if key.startswith("f") and key[1:].isdigit():
        return 0x70 + int(key[1:]) - 1  # VK_F1..VK_F24
    if key in string.ascii_lowercase + string.digits:
        return ord(key.upper())
    raise ValueError(key)


def _dll(name: str) -> Any:
    if sys.platform != "win32":
        raise OSError("RegisterHotKey exists only on Windows")
    return ctypes.WinDLL(name, use_last_error=True)


def _last_error() -> int:
    if sys.platform != "win32":
        return 0
    return ctypes.get_last_error()


def _error_text(code: int) -> str:
    if sys.platform != "win32":
        return str(code)
    return ctypes.FormatError(code).strip()


class WindowsListener:
    """HotkeyListener for Windows. Hotkeys belong to the thread that registered them."""

    def __init__(self) -> None:
        self._user32 = _dll("user32")
        self._kernel32 = _dll("kernel32")
        self._requests: queue.SimpleQueue[Request] = queue.SimpleQueue()
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._thread_id = 0
        self._actions: dict[int, str] = {}
        self._on_press: Callable[[str], None] | None = None

    def start(self, bindings: Mapping[str, str], on_press: Callable[[str], None]) -> dict[str, str]:
        """Register the bindings (releasing earlier ones); return {action: problem}."""
        usable, problems = check_bindings(bindings)
        if self._thread is None or not self._thread.is_alive():
            self._ready.clear()
            self._thread = threading.Thread(target=self._run, name="iris-hotkeys-win", daemon=True)
            self._thread.start()
            self._ready.wait(_TIMEOUT_S)
        request = Request(usable, on_press)
        self._requests.put(request)
        self._user32.PostThreadMessageW(self._thread_id, _WM_APPLY, 0, 0)
        if not request.done.wait(_TIMEOUT_S):
            request.problems = dict.fromkeys(usable, messages.HOTKEY_NOT_ANSWERING)
        problems.update(request.problems)
        return problems

    def stop(self) -> None:
        """Unregister everything and end the message loop (bounded wait)."""
        if self._thread is not None and self._thread.is_alive():
            self._user32.PostThreadMessageW(self._thread_id, _WM_QUIT, 0, 0)
            if self._thread is not threading.current_thread():
                self._thread.join(_TIMEOUT_S)
        self._thread = None

    def _run(self) -> None:
        self._thread_id = self._kernel32.GetCurrentThreadId()
        message = wintypes.MSG()
        self._user32.PeekMessageW(ctypes.byref(message), None, 0, 0, _PM_NOREMOVE)  # Make a queue.
        self._ready.set()
        while self._user32.GetMessageW(ctypes.byref(message), None, 0, 0) > 0:
            if message.message == _WM_HOTKEY and message.wParam in self._actions:
                self._fire(self._actions[message.wParam])
            elif message.message == _WM_APPLY:
                while not self._requests.empty():
                    request = self._requests.get()
                    self._on_press = request.on_press
                    request.problems = self._register(request.bindings or {})
                    request.done.set()
        self._unregister_all()

    def _fire(self, action: str) -> None:
        try:
            if self._on_press is not None:
                self._on_press(action)
        except Exception:
            _LOG.warning("Handling the hotkey for %s failed", action, exc_info=True)

    def _unregister_all(self) -> None:
        for hotkey_id in self._actions:
            self._user32.UnregisterHotKey(None, hotkey_id)
        self._actions.clear()

    def _register(self, usable: dict[str, Hotkey]) -> dict[str, str]:
        self._unregister_all()
        problems: dict[str, str] = {}
        for hotkey_id, (action, hotkey) in enumerate(usable.items(), start=1):
            mods = sum(_MODS[name] for name in hotkey.modifiers) | _MOD_NOREPEAT
            if self._user32.RegisterHotKey(None, hotkey_id, mods, virtual_key(hotkey.key)):
                self._actions[hotkey_id] = action
                continue
            code = _last_error()
            shown = format_hotkey(hotkey)
            if code == _ERROR_HOTKEY_ALREADY_REGISTERED:
                problems[action] = messages.HOTKEY_TAKEN.format(hotkey=shown)
            else:
                reason = _error_text(code)
                problems[action] = messages.HOTKEY_FAILED.format(hotkey=shown, reason=reason)
        return problems
