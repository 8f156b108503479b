"""The conversation about images, as plain state (no Qt): the window's controller drives it."""

from desktop_app.conversation.conversation import Conversation

__all__ = ["Conversation"]
