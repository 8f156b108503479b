"""The actions that bring images in: captures (screen, window, region), files, the clipboard."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from desktop_app.capture import Blank, blank_kind
from desktop_app.conversation import Conversation
from desktop_app.core import messages
from desktop_app.core.accessible import facts_of
from desktop_app.core.errors import IrisError
from desktop_app.core.i18n import translate
from desktop_app.core.types import Rect
from desktop_app.gui import image_intake
from desktop_app.gui.focus import FocusKeeper
from desktop_app.gui.main_window import MainWindow

_BLANK_MESSAGES = {
    Blank.BLACK: messages.CAPTURE_BLACK,
    Blank.WHITE: messages.CAPTURE_WHITE,
    Blank.ONE_COLOUR: messages.CAPTURE_ONE_COLOUR,
}


class Capturer(Protocol):
    """Screen capture and the active window, passed in so tests can give a fake."""

    def screen(self) -> Any: ...
    def window(self) -> Any: ...
    def focused_item(self) -> Any: ...
    def item_under_pointer(self) -> Any: ...
    def move_pointer(self, x: int, y: int) -> None: ...
    def active_window_id(self) -> int | None: ...
    def activate(self, window_id: int) -> bool: ...


class Describe(Protocol):
    """The controller's `describe_images`."""

    def __call__(
        self,
        images: list[Any],
        name: str,
        read: bool = False,
        *,
        instruction: str = "",
        ground: bool = True,
        new_capture: bool = False,
    ) -> None: ...


class ImageActions:
    """Takes images in, without taking the focus from the user's program (FocusKeeper), and
    hands them to `describe(images, name, read=...)`, or keeps them for a question (then
    `prepare_question` lets the model work on them while it is typed); problems go to
    `announce`."""

    def __init__(
        self,
        window: MainWindow,
        capturer: Capturer,
        focus: FocusKeeper,
        conversation: Conversation,
        describe: Describe,
        announce: Callable[..., None],
        remember_place: Callable[[Rect], None],
        prepare_question: Callable[[], None],
    ) -> None:
        self.window = window
        self.capturer = capturer
        self.focus = focus
        self.conversation = conversation
        self.describe_images = describe
        self.announce = announce
        self.remember_place = remember_place
        self.prepare_question = prepare_question
        self._region_selector: Any = None

    def describe_screen(self) -> None:
        """Capture the monitor under the pointer and describe it."""
        self._capture_then(self.capturer.screen, messages.STATUS_DESCRIBING_SCREEN, "screen")

    def describe_window(self) -> None:
        """Capture the active window and describe it."""
        self._capture_then(self.capturer.window, messages.STATUS_DESCRIBING_WINDOW, "window")

    def describe_focused(self) -> None:
        """Capture the item with the keyboard focus (in any program) and describe it."""
        self._describe_item(self.capturer.focused_item, messages.STATUS_DESCRIBING_FOCUSED)

    def describe_pointer(self) -> None:
        """Capture the item under the mouse pointer and describe it."""
        self._describe_item(self.capturer.item_under_pointer, messages.STATUS_DESCRIBING_POINTER)

    def _describe_item(self, grab: Callable[[], Any], status: str) -> None:
        """Announce `status`, capture the item (with what the accessibility tree says of it)
        and describe it; its place is remembered for Move the pointer there. Only a black
        capture is refused (a screen curtain): a small item of one colour is still an item."""
        self.announce(status)

        def describe(image: Any) -> None:
            if blank_kind(image) is Blank.BLACK:
                self.announce(messages.CAPTURE_BLACK)
                return
            facts = facts_of(image)
            if facts is not None and facts.item is not None and facts.item.node.rect:
                self.remember_place(facts.item.node.rect)
            if facts is not None and facts.clipped:
                self.announce(messages.ITEM_CLIPPED, interrupt=False)
            self.describe_images([image], "item", new_capture=True)

        self._capture(grab, describe)

    def read_screen(self) -> None:
        """Capture the monitor under the pointer and read its text aloud."""
        self._capture_then(
            self.capturer.screen, messages.STATUS_READING_SCREEN, "screen", read=True
        )

    def read_window(self) -> None:
        """Capture the active window and read its text aloud."""
        self._capture_then(
            self.capturer.window, messages.STATUS_READING_WINDOW, "window", read=True
        )

    def read_region(self) -> None:
        """Let the user choose a region of the screen, then read its text aloud."""
        self.describe_region(read=True)

    def describe_region(self, read: bool = False) -> None:
        """Capture the screen, let the user choose a region (keyboard or mouse), describe it
        (or read its text)."""
        status = messages.STATUS_READING_REGION if read else messages.STATUS_DESCRIBING_REGION

        def describe(region: Any) -> None:
            self.announce(status)
            self.describe_images([region], "region", read=read, new_capture=True)

        self.choose_region(describe)

    def choose_region(self, then: Callable[[Any], None]) -> None:
        """Capture the screen, let the user choose a region (keyboard or mouse) and give the
        region's image to `then`; a blank screen or region is told instead."""
        from desktop_app.gui.region_selector import RegionSelector

        self.announce(messages.STATUS_CHOOSE_REGION)
        came_from = self.focus.user_program()

        def choose(screenshot: Any) -> None:
            if self.told_blank(screenshot):
                self.focus.return_focus(came_from)
                return
            selector = self._region_selector = RegionSelector(screenshot)

            def chosen(rect: Rect) -> None:
                selector.close()
                self.focus.return_focus(came_from)
                box = (rect.x, rect.y, rect.x + rect.width, rect.y + rect.height)
                region = screenshot.crop(box)
                if not self.told_blank(region, blank_region=True):
                    then(region)

            def cancelled() -> None:
                self.focus.return_focus(came_from)
                self.announce(messages.STATUS_STOPPED)

            selector.selected.connect(chosen)
            selector.cancelled.connect(cancelled)
            selector.start()

        self._capture(self.capturer.screen, choose)

    def ask_about_screen(self) -> None:
        """Capture the screen, attach it to a new conversation, and bring Iris forward with
        the focus in the question field (Escape there goes back to the program the user came
        from); the model reads and encodes the screen while the question is typed."""

        def attach(image: Any) -> None:
            if self.told_blank(image):
                return
            self.conversation.start_anew()
            self.conversation.attach(image)
            self.window.conversation.add_image("screen", *image.size)
            self.window.question.setFocus()
            self.announce(messages.STATUS_ASK_ABOUT_SCREEN)
            self.prepare_question()

        self._capture(self.capturer.screen, attach, come_forward=True)

    def _capture_then(
        self, grab: Callable[[], Any], status: str, name: str, read: bool = False
    ) -> None:
        self.announce(status)

        def describe(image: Any) -> None:
            if not self.told_blank(image):
                self.describe_images([image], name, read=read, new_capture=True)

        self._capture(grab, describe)

    def told_blank(self, image: Any, blank_region: bool = False) -> bool:
        """Say so, and return True, when `image` has nothing in it (all black, all white, one
        colour): it never goes to the model. `blank_region`: it is a chosen region."""
        kind = blank_kind(image)
        if kind is None:
            return False
        self.announce(messages.REGION_BLANK if blank_region else translate(_BLANK_MESSAGES[kind]))
        return True

    def _capture(
        self, grab: Callable[[], Any], then: Callable[[Any], None], *, come_forward: bool = False
    ) -> None:
        """Capture without taking the focus from the user's program (see FocusKeeper)."""
        self.focus.capture(
            grab, then, lambda error: self.announce(error.message), come_forward=come_forward
        )

    def open_image_dialog(self) -> None:
        """Let the user pick image files, and describe them."""
        paths = image_intake.pick_image_files(self.window)
        if paths:
            self.add_image_files(paths)

    def add_image_files(self, paths: Sequence[str]) -> None:
        """Load files (dropped or opened) and describe them; bad ones are announced."""
        images, errors = image_intake.load_images(paths)
        for error in errors:
            self.announce(error.message)
        if images:
            self.describe_images(images, Path(paths[0]).name)

    def add_image_data(self, data: Any) -> None:
        """Describe image data dropped or pasted."""
        try:
            image = image_intake.image_from_data(data)
        except IrisError as error:
            self.announce(error.message)
            return
        self.describe_images([image], "image")

    def paste_image(self) -> None:
        """Describe the image (or the image files) on the clipboard."""
        content = image_intake.clipboard_content()
        if content is None:
            self.announce(messages.STATUS_NO_IMAGE_ON_CLIPBOARD)
        elif isinstance(content, list):
            self.add_image_files(content)
        else:
            self.add_image_data(content)
