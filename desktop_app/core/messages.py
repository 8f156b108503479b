"""Every string Iris shows or speaks to the user, in one place (as Orca's messages.py).

Strings with fields are filled with `str.format`.
"""

from __future__ import annotations

# --- images -------------------------------------------------------------------------------
FILE_NOT_FOUND = "No file at {path}."
IS_A_FOLDER = "{path} is a folder, not an image file."
FILE_EMPTY = "{path} is empty (zero bytes)."
FILE_UNREADABLE = "Cannot read {path}: {reason}."
NOT_AN_IMAGE = "{path} is not an image Iris can read."
IMAGE_DAMAGED = "{path} is damaged or incomplete ({reason})."
IMAGE_TOO_LARGE = (
    "{path} is too large to describe safely ({width} by {height} pixels). "
    "Crop or scale it down first."
)
IMAGE_BOMB = "{path} declares an enormous size and was refused to protect your memory."
NO_IMAGES = "Give at least one image file."
FOLDER_HAS_NO_IMAGES = "No image files in {path}."

# --- models -------------------------------------------------------------------------------
MODEL_FOLDER_NOT_FOUND = "No model folder at {path}."
MODEL_UNKNOWN = "No model called {model} exists on the Hugging Face Hub."
MODEL_OFFLINE = (
    "The model {model} is not downloaded yet and the internet cannot be reached. "
    "Connect once and run: iris models download {model}"
)
MODEL_DOWNLOAD_FAILED = "Downloading {model} failed: {reason}"
MODEL_NO_WEIGHTS = "The model folder {path} holds no weights (no .safetensors file)."
MODEL_PICKLE_ONLY = (
    "The model folder {path} holds only pickle (.bin/.pt) weights, which can run hidden code. "
    "Iris loads safetensors weights only."
)
MODEL_PICKLE_ONLY_HUB = (
    "The model {model} on the Hub has only pickle (.bin/.pt) weights, which can run hidden code. "
    "Iris loads safetensors weights only."
)
MODEL_CUSTOM_CODE = (
    "The model {model} needs its own Python code to run. Iris never runs code that comes "
    "with a model."
)
MODEL_NO_CONFIG = "The model folder {path} has no config.json; it is not a transformers model."
MODEL_UNSUPPORTED = "The model {model} ({kind}) is not a vision-language model Iris supports."
MODEL_BROKEN = "The model {model} could not be loaded: {reason}"
MODEL_OUT_OF_MEMORY = (
    "The model {model} does not fit in this computer's memory. Choose a smaller model."
)
QUANT_UNAVAILABLE = "{quant} needs the package {package}, which is not installed."
QUANT_UNSUPPORTED = "{quant} is not available for {device}."
DEVICE_UNAVAILABLE = "The device {device} is not available on this computer."
GENERATION_FAILED = "Generating the answer failed: {reason}"

# --- progress -----------------------------------------------------------------------------
STAGE_DOWNLOAD = "Downloading model"
STAGE_LOAD = "Loading model"
STAGE_QUANTIZE = "Preparing model for this computer"
STAGE_READY = "Model ready"

# --- command line -------------------------------------------------------------------------
CLI_DESCRIPTION = (
    "Iris describes screens and images for blind and low-vision people, "
    "with a vision-language model that runs on your own computer."
)
CLI_INTERRUPTED = "Stopped."
CLI_ANSWER_CANCELLED = "(answer stopped before the end)"
BATCH_DONE = "Wrote {count} rows to {path} ({failed} failed)."
MODELS_DOWNLOADED = "Downloaded {model} to {path}."
MODEL_IN_CACHE = "downloaded"
MODEL_NOT_IN_CACHE = "not downloaded"
LABELS_REQUIRED = "--task classify needs --labels, for example --labels cat,dog,car."
TURN_HEADER = "Q: {question}"

# --- window: names read by screen readers ---------------------------------------------------
APP_NAME = "Iris"
WINDOW_TITLE = "Iris"
CONVERSATION_NAME = "Conversation"
CONVERSATION_DESCRIPTION = "Questions and answers, newest last."
QUESTION_NAME = "Question"
QUESTION_PLACEHOLDER = "Ask about the image, then press Enter"
STATUS_NAME = "Status"
PROGRESS_NAME = "Model progress"
ACTION_DESCRIBE_SCREEN = "Describe screen"
ACTION_DESCRIBE_WINDOW = "Describe window"
ACTION_DESCRIBE_REGION = "Describe region"
ACTION_OPEN_IMAGE = "Open image"
ACTION_PASTE_IMAGE = "Paste image"
ACTION_ASK = "Ask"
ACTION_STOP = "Stop"
ACTION_REPEAT = "Repeat"
ACTION_COPY_ANSWER = "Copy answer"
ACTION_NEW_CONVERSATION = "New conversation"
ACTION_SETTINGS = "Settings"
ACTION_QUIT = "Quit"
MENU_FILE = "&File"
MENU_DESCRIBE = "&Describe"
MENU_CONVERSATION = "&Conversation"
OPEN_IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.gif *.webp *.bmp *.tif *.tiff);;All files (*)"
YOU_PREFIX = "You: {text}"
IRIS_PREFIX = "Iris: {text}"
IMAGE_ITEM = "Image: {name}, {width} by {height} pixels"
UNFINISHED_SUFFIX = " (stopped)"

# --- window: states announced (shown and spoken) -------------------------------------------
STATUS_READY = "Ready. Model: {model}."
STATUS_NO_MODEL_YET = "Model not loaded yet."
STATUS_LOADING = "Model loading, {percent} percent."
STATUS_DESCRIBING_SCREEN = "Describing the screen."
STATUS_DESCRIBING_WINDOW = "Describing the window."
STATUS_DESCRIBING_REGION = "Describing the region."
STATUS_DESCRIBING_IMAGE = "Describing {name}."
STATUS_THINKING = "Thinking."
STATUS_STOPPED = "Stopped."
STATUS_DONE = "Done."
STATUS_COPIED = "Answer copied."
STATUS_NOTHING_TO_COPY = "There is no answer to copy yet."
STATUS_NOTHING_TO_REPEAT = "There is no answer to repeat yet."
STATUS_NEW_CONVERSATION = "New conversation."
STATUS_NEED_IMAGE = "First describe the screen or open an image, then ask about it."
STATUS_EMPTY_QUESTION = "Type a question first."
STATUS_NO_IMAGE_ON_CLIPBOARD = "The clipboard holds no image."
STATUS_ERROR = "{message}"
STATUS_HOTKEYS_TAKEN = "Some hotkeys could not be set: {details}"
STATUS_SPEECH_PROBLEM = "Speech is off: {details}"
DROP_NOT_AN_IMAGE = "That is not an image Iris can read."
NO_DISPLAY_FOR_WINDOW = (
    "No display to open the window on. Run Iris from your desktop session, or use the "
    "command line: iris describe IMAGE"
)
FIRST_RUN_TITLE = "Download the model?"
FIRST_RUN_DOWNLOAD = (
    "Iris needs its model, {model}, to describe images. It is not on this computer yet. "
    "Download it now ({size})? It is saved on this computer and used offline from then on."
)
FIRST_RUN_DECLINED = (
    "Iris has no model yet, so it cannot describe images. Choose Settings to download it "
    "later or to pick a model folder on this computer."
)
SIZE_UNKNOWN = "size unknown"
SIZE_GB = "about {size:g} GB"
