"""`iris describe`: one conversation about one or more images, streamed to stdout."""

from __future__ import annotations

import argparse

from desktop_app.cli.common import load_images, loaded_backend, settings_from
from desktop_app.cli.output import AnswerWriter, print_error
from desktop_app.core import messages
from desktop_app.core.errors import BadInputError, IrisError, ServerError
from desktop_app.core.languages import answer_language
from desktop_app.core.types import Answer, Example, Request, Turn
from desktop_app.engine.backend import Backend
from desktop_app.engine.images import load_image
from desktop_app.engine.saved_prompts import first_capture_text, saved_prompt_text
from desktop_app.engine.tasks import Task, clean_labels, prompt_for
from desktop_app.settings import PromptTarget, SavedPrompt, find_prompt, load_settings


def named_prompt(name: str) -> SavedPrompt:
    """The saved prompt called `name` (any case); BadInputError listing the names if none."""
    prompts = load_settings().prompts
    found = find_prompt(prompts, name)
    if found is None:
        names = ", ".join(prompt.name for prompt in prompts)
        raise BadInputError(messages.PROMPT_UNKNOWN.format(name=name, names=names))
    return found


def saved_prompt_turn(prompt: SavedPrompt, args: argparse.Namespace) -> str:
    """The first turn of `--prompt`: a prompt that compares needs an earlier image first;
    given one image, it says so and describes it."""
    language = answer_language(load_settings().answer_language).name
    if prompt.target is PromptTarget.CHANGES and len(args.images) < 2:
        print_error(messages.NO_PREVIOUS_CAPTURE)
        return first_capture_text(prompt, language=language)
    return saved_prompt_text(prompt, answer=args.answer, language=language)


def plan_turns(args: argparse.Namespace) -> tuple[str, list[str], tuple[str, ...]]:
    """The first turn's text, the follow-up questions, and the allowed answers (classify)."""
    asks = [question.strip() for question in args.ask if question.strip()]
    if getattr(args, "prompt", None):
        return saved_prompt_turn(named_prompt(args.prompt), args), asks, ()
    if args.instruction:
        return prompt_for(Task.CUSTOM, instruction=args.instruction), asks, ()
    if args.task == "classify":
        labels = clean_labels((args.labels or "").split(","))
        if len(labels) < 2:
            raise BadInputError(messages.LABELS_REQUIRED)
        return prompt_for(Task.CLASSIFY, labels=labels), asks, labels
    if args.task is None and asks:
        return prompt_for(Task.ASK, question=asks[0]), asks[1:], ()
    task = Task.READ if args.task == "read" else Task.DESCRIBE
    return prompt_for(task), asks, ()


def run_describe(args: argparse.Namespace) -> int:
    """Load images and model, then answer each turn as it streams."""
    writer = AnswerWriter(json_lines=args.format == "jsonl")
    try:
        first_text, follow_ups, choices = plan_turns(args)
        images = load_images(args.images)
        examples = tuple(Example(load_image(path), answer) for path, answer in args.example)
        settings = settings_from(args)
        backend = loaded_backend(settings, args)
        request = Request(
            (Turn(first_text, tuple(images)),),
            settings.max_new_tokens,
            examples,
            choices,
            ground=named_prompt(args.prompt).ground if getattr(args, "prompt", None) else True,
        )
        answer = _answer(backend, request, writer, first_text)
        for question in follow_ups:
            if answer.cancelled:
                break
            request = request.follow_up(answer.text, question)
            writer.question(question)
            answer = _answer(backend, request, writer, question)
    except IrisError as error:
        writer.error(error.message, error.partial if isinstance(error, ServerError) else None)
        print_error(error.message)
        return error.exit_code
    return 0


def _answer(backend: Backend, request: Request, writer: AnswerWriter, question: str) -> Answer:
    """Stream one turn's answer; Ctrl+C stops generation before leaving."""
    try:
        answer = backend.start(request, writer.token)
    except KeyboardInterrupt:
        backend.cancel()
        raise
    writer.answer(answer, question)
    return answer
