"""Global hotkeys on X11: XGrabKey on the root window (python-xlib), one thread per listener."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping

from desktop_app.core import messages
from desktop_app.core.errors import first_line
from desktop_app.hotkeys._listener import Request, check_bindings
from desktop_app.hotkeys._x11_session import REPLY_TIMEOUT_S, Session

JOIN_TIMEOUT_S = 2.0


class X11Listener:
    """HotkeyListener for X11 (and XWayland). Bindings taken by another client are reported."""

    def __init__(self, display_name: str | None = None) -> None:
        self._display_name = display_name
        self._session: Session | None = None
        self._lock = threading.Lock()

    def start(self, bindings: Mapping[str, str], on_press: Callable[[str], None]) -> dict[str, str]:
        """Grab the bindings (releasing earlier ones); return {action: problem} for failures."""
        usable, problems = check_bindings(bindings)
        session, problem = self._open()
        if session is None:
            problems.update(dict.fromkeys(usable, problem))
            return problems
        request = session.request(Request(usable, on_press))
        if not request.done.wait(REPLY_TIMEOUT_S):
            request.problems = dict.fromkeys(usable, messages.HOTKEY_NOT_ANSWERING)
        problems.update(request.problems)
        return problems

    def stop(self) -> None:
        """Release every grab, close the display and end the thread (bounded wait)."""
        with self._lock:
            session, self._session = self._session, None
        if session is None:
            return
        session.request(Request(None))
        if session.thread is threading.current_thread():
            return  # Called from on_press: the thread ends once the handler returns.
        session.thread.join(JOIN_TIMEOUT_S)
        if not session.thread.is_alive():
            session.close_pipe()

    def _open(self) -> tuple[Session | None, str]:
        with self._lock:
            if self._session is not None:
                if self._session.thread.is_alive():
                    return self._session, ""
                self._session.close_pipe()  # It lost the display; open a fresh one.
                self._session = None
            try:
                self._session = Session(self._display_name)
            except ImportError:
                return None, messages.HOTKEY_NEEDS_PACKAGE.format(package="python-xlib")
            except Exception as error:  # Xlib's DisplayError, OSError, refused auth...
                if not (self._display_name or os.environ.get("DISPLAY")):
                    return None, messages.HOTKEY_NO_DISPLAY
                return None, messages.HOTKEY_DISPLAY_FAILED.format(reason=first_line(error))
            return self._session, ""
