"""What to say when the model's process has ended on its own: from its exit status."""

from __future__ import annotations

import signal

from desktop_app.core import messages

_WINDOWS_CRASHES = {
    0xC0000005: "SIGSEGV",  # access violation
    0xC0000409: "SIGABRT",  # stack buffer overrun, abort()
    0xC000001D: "SIGILL",  # illegal instruction
    0xC0000094: "SIGFPE",  # integer division by zero
}


def death_sentence(returncode: int | None, smaller: str | None) -> str:
    """One sentence for a process that ended with `returncode` (negative: the signal that
    ended it, as subprocess reports it). Killed outright (SIGKILL, which the out-of-memory
    killer sends) is taken for a lack of memory: `smaller` names a smaller model, if any."""
    name = _signal_name(returncode)
    if name == "SIGKILL":
        if smaller is None:
            return messages.MODEL_PROCESS_KILLED_SMALLEST
        return messages.MODEL_PROCESS_KILLED.format(smaller=smaller)
    if name is not None and name in messages.MODEL_PROCESS_CAUSES:
        return messages.MODEL_PROCESS_CRASHED.format(cause=messages.MODEL_PROCESS_CAUSES[name])
    code = messages.MODEL_PROCESS_EXIT_CODE.format(code=returncode)
    return messages.MODEL_PROCESS_CRASHED.format(cause=code)


def _signal_name(returncode: int | None) -> str | None:
    if returncode is None:
        return None
    if returncode < 0:
        try:
            return signal.Signals(-returncode).name
        except ValueError:
            return None
    return _WINDOWS_CRASHES.get(returncode & 0xFFFFFFFF)
