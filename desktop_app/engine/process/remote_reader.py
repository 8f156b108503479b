"""The text reader of another process, as a TextReader: the grounding in the window reads
through the text reader's process (the one the Read actions use), so neither the window nor the
model's process holds onnxruntime and the reader's models."""

from __future__ import annotations

import logging
import threading
from typing import Any

from desktop_app.core.errors import IrisError
from desktop_app.core.reading import TextReading
from desktop_app.engine.process.proxy import ProcessBackend
from desktop_app.engine.reading.reader import LineCallback, TextReader

_LOG = logging.getLogger(__name__)


class RemoteTextReader(TextReader):
    """Reads in `process` (a ProcessBackend of Kind.TEXT_READER). Grounding is a head start,
    not a need: when the process cannot read (it died, it is being unloaded) the reading is
    empty and the model answers from the picture."""

    def __init__(self, process: ProcessBackend, *, owned: bool = False) -> None:
        """`owned`: the process is this reader's alone, ended by `close`."""
        super().__init__()
        self.process = process
        self.owned = owned

    def load(self) -> None:
        self.process.load()

    def close(self) -> None:
        if self.owned:
            self.process.close()

    def read(
        self,
        image: Any,
        on_line: LineCallback | None = None,
        cancelled: threading.Event | None = None,
    ) -> TextReading:
        try:
            return self.process.read_text(image, on_line, cancelled)
        except IrisError as error:
            _LOG.warning("the text reader's process could not read: %s", error.message)
            return TextReading((), *image.size)
