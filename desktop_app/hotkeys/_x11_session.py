"""One X display connection and the thread that grabs keys on it and reports presses."""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import select
import threading
from collections.abc import Callable
from typing import Any

from desktop_app.core import messages
from desktop_app.core.errors import first_line
from desktop_app.hotkeys._keys import Hotkey, format_hotkey, key_name
from desktop_app.hotkeys._listener import Request
from desktop_app.hotkeys._x11_keys import ModifierMasks, keysym

_LOG = logging.getLogger(__name__)
REPLY_TIMEOUT_S = 5.0
_KEY_PRESS, _KEY_RELEASE, _MAPPING_NOTIFY = 2, 3, 34
_GRAB_MODE_ASYNC = 1


class Session:
    """Owns a python-xlib Display; only its thread touches it after construction."""

    def __init__(self, display_name: str | None) -> None:
        from Xlib import display as xdisplay

        self._display: Any = xdisplay.Display(display_name)
        try:
            self._display.set_error_handler(self._on_x_error)
            self._root: Any = self._display.screen().root
            self._masks = ModifierMasks(self._display)
        except Exception:
            self._display.close()
            raise
        self._requests: queue.SimpleQueue[Request] = queue.SimpleQueue()
        self._wake_read, self._wake_write = os.pipe()
        self._bindings: dict[str, Hotkey] = {}
        self._on_press: Callable[[str], None] | None = None
        self._grabs: dict[tuple[int, int], str] = {}  # (keycode, modifier mask) -> action
        self._grabbed: set[tuple[int, int]] = set()  # (keycode, mask with lock variants) grabbed
        self._last_release: tuple[int, int] | None = None
        self._stopping = False
        self.thread = threading.Thread(target=self._run, name="iris-hotkeys-x11", daemon=True)
        self.thread.start()

    def request(self, request: Request) -> Request:
        """Hand a request to the thread (or serve it here, if called from the thread)."""
        if threading.current_thread() is self.thread:
            self._serve(request)
            return request
        self._requests.put(request)
        with contextlib.suppress(OSError):  # The thread already ended and answers no more.
            os.write(self._wake_write, b"!")
        return request

    def close_pipe(self) -> None:
        """Close the wake pipe, once the thread has ended."""
        os.close(self._wake_read)
        os.close(self._wake_write)

    # --- on the session's thread ---------------------------------------------------------------

    def _run(self) -> None:
        from Xlib import error as xerror

        try:
            while not self._stopping:
                while self._display.pending_events():
                    self._on_event(self._display.next_event())
                readable, _, _ = select.select([self._display, self._wake_read], [], [])
                if self._wake_read in readable:
                    os.read(self._wake_read, 512)
                    self._serve_all()
        except (xerror.ConnectionClosedError, OSError) as error:
            _LOG.warning("Hotkey listener lost the display: %s", first_line(error))
        except Exception:
            _LOG.warning("Hotkey listener failed; global hotkeys are off", exc_info=True)
        finally:
            self._stopping = True
            try:
                self._display.close()
            except Exception as error:
                _LOG.warning("Closing the hotkey display failed: %s", first_line(error))
            self._serve_all()  # Answer anything still queued, so no caller waits for nothing.

    def _serve_all(self) -> None:
        while True:
            try:
                request = self._requests.get_nowait()
            except queue.Empty:
                return
            self._serve(request)

    def _serve(self, request: Request) -> None:
        if request.bindings is None:
            self._stopping = True
        elif self._stopping:
            request.problems = dict.fromkeys(request.bindings, messages.HOTKEY_NOT_ANSWERING)
        else:
            self._on_press = request.on_press
            self._bindings = request.bindings
            request.problems = self._grab_all()
        request.done.set()

    def _grab_all(self) -> dict[str, str]:
        """Grab every binding, then release what is no longer bound: a key that stays bound
        (the usual case after a keyboard change, which a screen reader like Orca makes when it
        sets up its modifier key) is never left ungrabbed in between."""
        before = self._grabbed
        self._grabs.clear()
        self._grabbed = set()
        problems: dict[str, str] = {}
        for action, hotkey in self._bindings.items():
            problem = self._grab(action, hotkey)
            if problem is not None:
                problems[action] = problem
        for keycode, modifiers in before - self._grabbed:
            self._root.ungrab_key(keycode, modifiers)
        self._display.sync()
        return problems

    def _grab(self, action: str, hotkey: Hotkey) -> str | None:
        from Xlib import error as xerror

        keycode = self._display.keysym_to_keycode(keysym(hotkey.key))
        if not keycode:
            name = key_name(hotkey.key)
            return messages.HOTKEY_NO_SUCH_KEY.format(hotkey=format_hotkey(hotkey), key=name)
        mask = self._masks.mask(hotkey.modifiers)
        variants = {(keycode, mask | extra) for extra in self._masks.lock_variants}
        catcher = xerror.CatchError()
        for code, modifiers in variants:
            self._root.grab_key(
                code, modifiers, False, _GRAB_MODE_ASYNC, _GRAB_MODE_ASYNC, onerror=catcher
            )
        self._display.sync()
        failure = catcher.get_error()
        if failure is None:
            self._grabs[(keycode, mask)] = action
            self._grabbed |= variants
            return None
        for code, modifiers in variants - self._grabbed:  # Release the variants that did succeed.
            self._root.ungrab_key(code, modifiers)
        if isinstance(failure, xerror.BadAccess):
            return messages.HOTKEY_TAKEN.format(hotkey=format_hotkey(hotkey))
        reason = first_line(failure)
        return messages.HOTKEY_FAILED.format(hotkey=format_hotkey(hotkey), reason=reason)

    def _on_event(self, event: Any) -> None:
        if event.type == _KEY_RELEASE:
            self._last_release = (event.detail, event.time)
        elif event.type == _KEY_PRESS:
            if self._last_release == (event.detail, event.time):
                return  # Auto-repeat while the hotkey is held: one press is enough.
            action = self._grabs.get((event.detail, event.state & self._masks.relevant))
            if action is not None and self._on_press is not None:
                try:
                    self._on_press(action)
                except Exception:
                    _LOG.warning("Handling the hotkey for %s failed", action, exc_info=True)
        elif event.type == _MAPPING_NOTIFY and event.request in (0, 1):  # Modifier, Keyboard
            self._display.refresh_keyboard_mapping(event)
            self._masks = ModifierMasks(self._display)
            for action, problem in self._grab_all().items():
                _LOG.warning("After a keyboard change, hotkey %s: %s", action, problem)

    def _on_x_error(self, error: Any, request: Any) -> None:
        _LOG.warning("X error in the hotkey listener: %s", first_line(error))
