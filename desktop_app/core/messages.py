"""Every string Iris shows or speaks to the user, in one place (as Orca's messages.py).

Strings with fields are filled with `str.format`.
"""

from __future__ import annotations

from desktop_app.core.i18n import N_

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
# Reasons for IMAGE_DAMAGED, in place of the decoder's own words (bad input is fuzzed in the tests).
IMAGE_ENDS_EARLY = "the file ends before the whole picture"
IMAGE_DATA_CORRUPT = "its picture data is corrupt"
NO_IMAGES = "Give at least one image file."
FOLDER_NOT_FOUND = "No folder at {path}."
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
MODEL_NEEDS_TORCHVISION = (
    "The model {model} needs the package torchvision, which this copy of Iris does not include. "
    "Choose a SmolVLM model instead (SmolVLM2 needs torchvision), such as {default}, or install "
    "Iris with pip or pipx, which brings torchvision."
)
MODEL_OUT_OF_MEMORY = (
    "The model {model} does not fit in this computer's memory. Choose a smaller model."
)
QUANT_UNAVAILABLE = "{quant} needs the package {package}, which is not installed."
QUANT_UNSUPPORTED = "{quant} is not available for {device}."
DEVICE_UNAVAILABLE = "The device {device} is not available on this computer."
READER_MISSING = "The text reader is not installed properly ({reason}); reinstall Iris."
READER_FAILED = "Reading the text failed: {reason}"
NO_TEXT_FOUND = "No text found in this image."
UNCLEAR_WORD = "{word} (unclear)"
CELL_SEPARATOR = "; "
READER_DESCRIPTION = "text reader (PP-OCRv4, on this computer)"
STAGE_READER = "Loading text reader"
# The model raised while writing; its own text goes to the log, never to the user.
GENERATION_FAILED = (
    "The model stopped with an error while writing the answer. Try again, or choose another "
    "model (Settings, Model). The details are in Iris's log."
)

# --- a model server the user controls ------------------------------------------------------
# {server} is "host:port" as the user wrote it.
LOCATION_THIS_COMPUTER = "on this computer"
LOCATION_SERVER = "on the server {server}"
LOCATION_SERVER_PLAIN = "on the server {server}, not encrypted"
LOCATION_LINE = "Model runs {location}."
LOCAL_DESCRIPTION = "{model}, {placement}, on this computer"
SERVER_DESCRIPTION = "{model} on the server {server}"
SERVER_URL_MISSING = (
    "No server address is set. Enter it in Settings, for example http://gpu-box:8000."
)
SERVER_URL_BAD = "{url} is not a server address Iris understands. Use one like http://gpu-box:8000."
SERVER_UNREACHABLE = (
    "Cannot reach the model server at {server}: nothing answers there. "
    "Check that the server is running and that the address and port are right."
)
SERVER_UNKNOWN_HOST = (
    "Cannot find the model server {server}: no computer has that name. Check the address."
)
SERVER_TIMEOUT_CONNECT = "The model server {server} did not answer within {seconds:g} seconds."
SERVER_TLS_FAILED = (
    "The secure connection to {server} failed: {reason}. If the server uses its own "
    "certificate, give its certificate authority file in Settings."
)
SERVER_AUTH = (
    "The model server {server} refused Iris ({status}): the API key is missing or wrong. "
    "Enter the right key in Settings."
)
SERVER_MODEL_MISSING = "The server {server} has no model called {model}. It has: {models}."
SERVER_MODEL_MISSING_NONE = "The server {server} has no model called {model}."
SERVER_MODEL_NOT_SET = "Choose which of the server's models to use in Settings. It has: {models}."
SERVER_NO_MODELS = "The server {server} lists no models."
SERVER_BUSY = "The model server {server} is busy ({status}). Try again in a moment."
SERVER_BUSY_WAIT = "The model server {server} is busy ({status}). Try again in {seconds:g} seconds."
SERVER_RETRYING = "The model server is busy; trying again in {seconds:g} seconds."
SERVER_FAILED = "The model server {server} could not answer ({status}): {reason}"
SERVER_NOT_OPENAI = (
    "{server} answered, but not as an OpenAI-compatible model server ({reason}). "
    "Check the address and port."
)
SERVER_STREAM_CUT = "The connection to the model server broke off before the answer was finished."
SERVER_STREAM_MALFORMED = "The model server sent an answer Iris cannot read ({reason})."
SERVER_STALLED = (
    "The model server stopped sending for {seconds:g} seconds, so Iris gave up waiting."
)
SERVER_ANSWER_ERROR = "The model server reported an error: {reason}"
SERVER_CONSENT_TITLE = "Send images to the server?"
SERVER_CONSENT_QUESTION = (
    "Iris is set to use the model server {server}. To describe or answer, your screenshots, "
    "images and questions will be sent to that computer. Do you agree? Iris asks only once "
    "for this server."
)
SERVER_CONSENT_QUESTION_PLAIN_HTTP = (
    "Iris is set to use the model server {server}. To describe or answer, your screenshots, "
    "images and questions will be sent to that computer. Do you agree? Iris asks only once "
    "for this server. Warning: the address starts with http, not https, so anyone on the "
    "network between here and there could see them."
)
"""SERVER_CONSENT_QUESTION for a server reached unencrypted across a network."""
SERVER_CONSENT_DECLINED = (
    "Nothing was sent. Iris will not use {server} until you agree; choose Settings to "
    "change where the model runs."
)
SERVER_CONSENT_NEEDED_CLI = (
    "Images would go to {server}, which is not this computer. Run once at a terminal to "
    "answer the question, or add --allow-remote to agree."
)
SERVER_CONSENT_PROMPT_CLI = "{question} [y/N] "
SERVER_PLAIN_HTTP_WARNING = (
    "Warning: {server} is reached over plain http, not encrypted. Images and questions "
    "can be read on the way."
)
SERVER_CHECK_OK = "Connected to {server} in {latency_ms:.0f} milliseconds. Models: {models}."
SERVER_CHECK_RUNNING = "Testing the connection to {server}."
SERVER_KEY_SESSION_ONLY = (
    "No system keyring is available, so the API key is kept only until Iris closes."
)
SERVER_ANSWER_UNFINISHED = "(unfinished)"
# The window's side of a model server: the Settings group, the location line, faults.
UNFINISHED_FAULT_SUFFIX = " " + SERVER_ANSWER_UNFINISHED
"""Marks an answer a fault broke off (its text so far is kept)."""
LOCATION_NAME = "Model location"
SERVER_GROUP_TITLE = "Where the model runs"
SERVER_RUNS_HERE = "On this computer"
SERVER_RUNS_ON_SERVER = "On a server I control"
LOCAL_GROUP_TITLE = "The model on this computer"
FIELD_SERVER_URL = "Server address"
FIELD_SERVER_URL_HINT = "for example http://gpu-box:8000"
FIELD_SERVER_MODEL = "Model on the server"
FIELD_SERVER_MODEL_DESCRIPTION = (
    "The model's name as the server lists it. Empty: the server's only model. "
    "Test connection fills the list."
)
FIELD_SERVER_API_KEY = "API key"
FIELD_SERVER_API_KEY_HINT = "Empty: the server needs none"
FIELD_SERVER_API_KEY_DESCRIPTION = "Kept in the system keyring, never in Iris's settings file."
FIELD_SERVER_VERIFY_TLS = "Check the server's certificate"
FIELD_SERVER_CA_FILE = "Certificate authority file"
FIELD_SERVER_CA_FILE_HINT = "Empty: the system's certificates"
CHOOSE_CA_FILE = "Browse…"
CHOOSE_CA_FILE_NAME = "Choose certificate authority file"
CHOOSE_CA_FILE_TITLE = "Choose the server's certificate authority file"
CA_FILE_FILTER = "Certificates (*.pem *.crt *.cer);;All files (*)"
FIELD_SERVER_CONNECT_TIMEOUT = "Connect timeout in seconds"
FIELD_SERVER_STALL_TIMEOUT = "Give up when the server is silent for, in seconds"
ACTION_TEST_CONNECTION = "Test connection"
SERVER_CHECK_RESULT_NAME = "Connection test result"
SERVER_CHECK_NO_MODELS = (
    "Connected to {server} in {latency_ms:.0f} milliseconds, but it lists no models."
)
PROBLEM_SERVER_URL = "Server address: {reason}"
PROBLEM_SERVER_CA_FILE = "Certificate authority file: {path} does not exist."
SERVER_CONSENT_DECLINED_CLI = "Nothing was sent: you did not agree to send images to {server}."
SERVER_MODELS_LATENCY = "{server} answered in {latency_ms:.0f} milliseconds."
SERVER_EDGE_TOO_SMALL = "With --server, --longest-edge must be at least {pixels} pixels."

# --- progress -----------------------------------------------------------------------------
STAGE_DOWNLOAD = "Downloading model"
STAGE_LOAD = "Loading model"
STAGE_QUANTIZE = "Preparing model for this computer"
STAGE_READY = "Model ready"
STAGE_CONNECT = "Connecting to the model server"

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
MODEL_BUNDLED = "bundled with Iris"
MODEL_FACT_UNKNOWN = "-"
LABELS_REQUIRED = "--task classify needs --labels, for example --labels cat,dog,car."
READ_HEADING = "== {name} =="
TURN_HEADER = "Q: {question}"

# --- window: names read by screen readers ---------------------------------------------------
APP_NAME = "Iris"
WINDOW_TITLE = "Iris"
CONVERSATION_NAME = "Conversation"
CONVERSATION_DESCRIPTION = "Questions and answers, newest last."
ANSWER_NAME = "Answer"
ANSWER_DESCRIPTION = "The newest or selected answer, to read line by line."
QUESTION_NAME = "Question"
QUESTION_PLACEHOLDER = "Ask about the image, then press Enter"
STATUS_NAME = "Status"
LABELLED_TEXT = "{label}: {text}"
"""A line's accessible name: what it is, then what it says ("Status: Done.")."""
PROGRESS_NAME = "Model progress"
ACTION_TOOLTIP = "{label} ({keys})"
MENU_FILE = "&File"
MENU_DESCRIBE = "&Describe"
MENU_READ = "&Read text"
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
STATUS_CONNECTING = "Connecting to the model server."
STATUS_LOADING_CANCELLED = "Model loading cancelled. Choose Settings to try again."
STATUS_DESCRIBING_SCREEN = "Describing the screen."
STATUS_DESCRIBING_WINDOW = "Describing the window."
STATUS_DESCRIBING_REGION = "Describing the region."
STATUS_CHOOSE_REGION = (
    "Choose a region: arrow keys move it, Shift with arrows resizes it, Enter describes it, "
    "Escape cancels. Or drag with the mouse."
)
STATUS_DESCRIBING_IMAGE = "Describing {name}."
STATUS_READING_SCREEN = "Reading the screen's text."
STATUS_READING_WINDOW = "Reading the window's text."
STATUS_READING_REGION = "Reading the region's text."
STATUS_READING_IMAGE = "Reading the image's text."
STATUS_READING_UNTIL_MODEL = (
    "The description model is not downloaded yet, so here is the text Iris can read now. "
    "Full descriptions need the model: choose Settings to download it."
)
STATUS_THINKING = "Thinking."
STATUS_STOPPED = "Stopped."
STATUS_DONE = "Done."
STATUS_COPIED = "Answer copied."
STATUS_NOTHING_TO_COPY = "There is no answer to copy yet."
STATUS_NOTHING_TO_REPEAT = "There is no answer to repeat yet."
STATUS_NEW_CONVERSATION = "New conversation."
STATUS_NEED_IMAGE = "First describe the screen or open an image, then ask about it."
STATUS_MORE_DETAIL = "Looking more closely. This takes longer."
STATUS_DETAIL_NEEDS_MODEL = "More detail needs the description model. Open Settings to download it."
STATUS_EMPTY_QUESTION = "Type a question first."
STATUS_NO_IMAGE_ON_CLIPBOARD = "The clipboard holds no image."
STATUS_ERROR = "{message}"
# A capture with nothing in it: said instead of describing it (no model is asked).
CAPTURE_BLACK = (
    "The capture is completely black. If Screen Curtain or a privacy screen is on, turn it off "
    "and try again."
)
CAPTURE_WHITE = (
    "The capture is completely white. The screen may still be drawing, or be showing a blank "
    "page; try again."
)
CAPTURE_ONE_COLOUR = (
    "The capture is one flat colour. The screen may be locked or asleep, showing protected "
    "video, or Iris may not be allowed to record the screen."
)
REGION_BLANK = "The chosen region is one flat colour: there is nothing in it to describe."
STATUS_HOTKEYS_TAKEN = "Some hotkeys could not be set: {details}"
# {details} is one HOTKEY_PROBLEM per hotkey, separated by spaces.
HOTKEY_PROBLEM = "{action}: {problem}"
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
    "Iris has no model yet, so it cannot describe images; it can read their text now "
    "(Read screen text, Control Alt Shift T). Choose Settings to download the model later "
    "or to pick a model folder on this computer."
)
SIZE_UNKNOWN = "size unknown"
SIZE_GB = "about {size:g} GB"


# --- global hotkeys --------------------------------------------------------------------------
# Bad hotkey strings (parse_hotkey); {text} is the string as given.
HOTKEY_EMPTY = "No hotkey given."
HOTKEY_UNKNOWN_PART = "The hotkey {text} has a part Iris does not know: {part}."
HOTKEY_NO_KEY = "The hotkey {text} has only modifiers; add a key, for example {text}+D."
HOTKEY_TWO_KEYS = "The hotkey {text} has more than one key: {first} and {second}."
HOTKEY_NEEDS_MODIFIER = (
    "The hotkey {text} would stop you typing {key}. Add Control, Alt or Super to it."
)
# Registering (listener.start); {hotkey} is format_hotkey's readable form.
HOTKEY_DUPLICATE = "{hotkey} is set for both {action} and {other}."
HOTKEY_TAKEN = "{hotkey} is already used by another program. Choose another hotkey."
HOTKEY_NO_SUCH_KEY = "{hotkey} cannot be used: the keyboard layout has no {key} key."
HOTKEY_FAILED = "{hotkey} could not be set: {reason}"
HOTKEY_NO_DISPLAY = (
    "Global hotkeys are off: no desktop display was found. Use the Iris window's menus instead."
)
HOTKEY_DISPLAY_FAILED = "Global hotkeys are off: the display could not be opened ({reason})."
HOTKEY_WAYLAND = (
    "Global hotkeys are off: this Wayland desktop does not let programs set them. "
    "Use the Iris window's menus, or add the hotkeys in your desktop's keyboard settings."
)
HOTKEY_NEEDS_PACKAGE = "Global hotkeys are off: the Python package {package} is not installed."
HOTKEY_UNSUPPORTED_PLATFORM = "Global hotkeys are not supported on {platform}."
HOTKEY_NOT_ANSWERING = "Global hotkeys are off: the hotkey listener stopped answering."
HOTKEY_MACOS_PERMISSION = (
    "Global hotkeys are off: macOS has not allowed Iris to see key presses. Open System "
    "Settings, Privacy and Security, and turn Iris (or the terminal that runs it) on under "
    "both Accessibility and Input Monitoring, then restart Iris."
)

# Readable names (format_hotkey), as screen readers should speak them.
KEY_CONTROL = "Control"
KEY_ALT = "Alt"
KEY_OPTION = "Option"
KEY_SHIFT = "Shift"
KEY_SUPER = "Super"
KEY_WINDOWS = "Windows"
KEY_COMMAND = "Command"
KEY_NAMES = {
    "space": "Space",
    "escape": "Escape",
    "tab": "Tab",
    "enter": "Enter",
    "backspace": "Backspace",
    "pause": "Pause",
    "print": "Print Screen",
    "home": "Home",
    "end": "End",
    "insert": "Insert",
    "delete": "Delete",
    "pageup": "Page Up",
    "pagedown": "Page Down",
    "up": "Up Arrow",
    "down": "Down Arrow",
    "left": "Left Arrow",
    "right": "Right Arrow",
}


# --- screen capture --------------------------------------------------------------------------
# No display, or one that cannot be used.
CAPTURE_NO_DISPLAY = (
    "Cannot capture the screen: no desktop display was found. Run Iris from your desktop "
    "session, or describe an image file instead."
)
CAPTURE_DISPLAY_FAILED = (
    "Cannot capture the screen: the display {display} could not be opened ({reason})."
)
CAPTURE_WAYLAND = (
    "Cannot capture the screen: this Wayland desktop has no X11 (XWayland) display that Iris "
    "can read. Choose an Xorg session at login, or describe an image file instead."
)
CAPTURE_FAILED = "Cannot capture the screen: {reason}"
CAPTURE_NEEDS_PACKAGE = "Cannot capture the screen: the Python package {package} is not installed."
CAPTURE_UNSUPPORTED_PLATFORM = "Screen capture is not supported on {platform}."
CAPTURE_MACOS_PERMISSION = (
    "Cannot capture the screen: macOS has not allowed Iris to record the screen. Open System "
    "Settings, Privacy and Security, Screen Recording (on newer macOS: Screen and System Audio "
    "Recording), turn Iris (or the terminal that runs it) on, then restart Iris."
)
# Windows and regions; {region} is format_region's readable form.
CAPTURE_NO_ACTIVE_WINDOW = (
    "There is no active window to capture. Switch to a window first, or describe the whole screen."
)
CAPTURE_WINDOW_OFF_SCREEN = (
    "The active window is outside the screen, so there is nothing to capture."
)
CAPTURE_REGION_OFF_SCREEN = "The region {region} lies outside the screen; nothing to capture."
CAPTURE_REGION_OFF_IMAGE = "The region {region} lies outside the screenshot; nothing to crop."
# format_region: how a rectangle is read out.
CAPTURE_REGION = "{width} by {height} pixels at {x}, {y}"


# --- settings dialog, region chooser, tray ---------------------------------------------------
# --- settings dialog ----------------------------------------------------------------------
SETTINGS_TITLE = "Iris settings"
SETTINGS_TABS_NAME = "Settings sections"
TAB_GENERAL = "General"
TAB_MODEL = "Model"
TAB_HOTKEYS = "Hotkeys"
TAB_SPEECH = "Speech"

FIELD_ANSWER_LANGUAGE = "Answer language"
FIELD_ANSWER_LANGUAGE_HINT = "Empty: the language of your question"
FIELD_STYLE = "Description style"
STYLE_SHORT = "Short"
STYLE_DETAILED = "Detailed"
STYLE_CUSTOM = "Custom"
FIELD_CUSTOM_PROMPT = "Custom instructions"
FIELD_CUSTOM_PROMPT_DESCRIPTION = "Used only when the description style is Custom."
FIELD_KEEP_IN_TRAY = "Keep Iris in the tray when the window is closed"
FIELD_ALL_MONITORS = "Describe all monitors"
FIELD_START_AT_LOGIN = "Start Iris when I log in"
FIELD_START_AT_LOGIN_DESCRIPTION = (
    "Iris opens by itself each time you log in to this computer, ready for its hotkeys."
)

FIELD_MODEL = "Model"
FIELD_MODEL_DESCRIPTION = (
    "A Hugging Face model id, a model folder on this computer, "
    "or auto for the model recommended for this computer."
)
CHOOSE_FOLDER = "Choose folder…"
CHOOSE_FOLDER_NAME = "Choose model folder"
CHOOSE_FOLDER_TITLE = "Choose a model folder"
FIELD_QUANTIZATION = "Precision"
QUANT_AUTO = "Automatic (best for this computer)"
QUANT_NONE = "Full precision (most memory)"
QUANT_INT8 = "8-bit, for the processor"
QUANT_BNB_4BIT = "4-bit, for NVIDIA graphics cards (bitsandbytes)"
QUANT_BNB_8BIT = "8-bit, for NVIDIA graphics cards (bitsandbytes)"
QUANT_QUANTO_INT8 = "8-bit with Quanto"
FIELD_DEVICE = "Run the model on"
DEVICE_AUTO = "Automatic"
DEVICE_CPU = "Processor (CPU)"
DEVICE_CUDA = "NVIDIA graphics card (CUDA)"
DEVICE_MPS = "Apple graphics (MPS)"
FIELD_LONGEST_EDGE = "Image detail: longest edge in pixels"
LONGEST_EDGE_DEFAULT = "Model default"
FIELD_SPLIT_IMAGE = "Split large images into tiles"
FIELD_GROUND_IN_TEXT = "Give the model the text found on the image"
FIELD_MAX_TOKENS = "Maximum answer length in tokens"
FIELD_LOAD_AT_START = "Load the model when Iris starts"
FIELD_UNLOAD_AFTER = "Unload the model after this many minutes unused"
FIELD_UNLOAD_AFTER_DESCRIPTION = (
    "Gives the model's memory back to other programs; the next question loads it again, "
    "which takes a few seconds."
)
UNLOAD_NEVER = "Never"

HOTKEY_FIELD = "Hotkey for {action}"
HOTKEY_PLACEHOLDER = "for example ctrl+alt+shift+d"

FIELD_SPEECH_ENABLED = "Speak answers"
FIELD_VOICE = "Voice"
FIELD_VOICE_HINT = "Empty: the system's default voice"
FIELD_RATE = "Speaking rate in words per minute"
FIELD_VOLUME = "Volume in percent"
FIELD_SPEECH_OUTPUT = "Whose voice speaks"
FIELD_SPEECH_OUTPUT_DESCRIPTION = (
    "Automatic: your screen reader's voice when one is running, otherwise Iris's own voice."
)
SPEECH_OUTPUT_AUTO = "Automatic"
SPEECH_OUTPUT_SCREEN_READER = "My screen reader's voice"
SPEECH_OUTPUT_OWN_VOICE = "Iris's own voice"

PROBLEMS_NAME = "Problems"
PROBLEM_HOTKEY_INVALID = "Hotkey for {action}: {reason}"
PROBLEM_HOTKEY_NO_MODIFIER = (
    "Hotkey for {action}: {text} needs at least one of Control, Alt, Shift or Super."
)
PROBLEM_HOTKEY_DUPLICATE = "Hotkey for {action}: {text} is already used for {other}."
PROBLEM_LONGEST_EDGE = (
    "Image detail: the longest edge must be 0 (model default) or at least 16 pixels."
)
PROBLEM_MODEL_EMPTY = "Model: give a model id or choose a model folder."
PROBLEM_CUSTOM_PROMPT_EMPTY = "Custom instructions: write them, or choose another style."

# --- settings the settings file held but Iris could not use (settings.schema) -------------
SETTINGS_RESET = "Some settings could not be used and are back to their defaults: {details}."
SETTINGS_RESET_SEPARATOR = "; "
"""Joins the SETTING_* details of SETTINGS_RESET."""
SETTINGS_FILE_RESET = (
    "Iris could not read its settings file, so every setting is back to its default. "
    "The file was kept as {path}."
)
SETTING_WRONG_TYPE = "{label} ({value} is not {kind})"
SETTING_TOO_SMALL = "{label} ({value} is less than {minimum})"
SETTING_TOO_LARGE = "{label} ({value} is more than {maximum})"
SETTING_NOT_A_CHOICE = "{label} ({value} is not one of its choices)"
SETTING_EMPTY = "{label} (empty)"
KIND_ON_OFF = "on or off"
KIND_WHOLE_NUMBER = "a whole number"
KIND_NUMBER = "a number"
KIND_TEXT = "text"
KIND_TEXT_LIST = "a list of texts"
KIND_GROUP = "a group of settings"
# Settings kept in the settings file but not shown in the Settings dialog.
FIELD_REVISION = "Model revision"
FIELD_THREADS = "Processor threads"
FIELD_SERVER_LONGEST_EDGE = "Longest edge of images sent to the server, in pixels"
FIELD_SERVER_DETAIL_LONGEST_EDGE = "Longest edge of images sent for more detail, in pixels"
FIELD_SERVER_APPROVED_HOSTS = "Servers you agreed to send images to"

# --- saving settings and history (nothing lost) ------------------------------------------
# {what} is SAVE_WHAT_SETTINGS or SAVE_WHAT_HISTORY.
SAVE_READ_ONLY = "Iris cannot save {what}: {path} cannot be written ({reason})."
SAVE_DISK_FULL = "Iris cannot save {what}: the disk holding {path} is full. Free some space."
SAVE_FAILED = "Iris cannot save {what} to {path}: {reason}"
SAVE_WHAT_SETTINGS = "its settings"
SAVE_WHAT_HISTORY = "the conversation history"
SAVE_SETTINGS_USED_UNSAVED = (
    "{problem} The new settings are used until Iris closes; the saved ones are unchanged."
)
SAVE_HISTORY_KEPT = (
    "{problem} Earlier history is unchanged, and Iris saves it again after the next answer."
)
FIELD_KEEP_HISTORY = "Keep a history of conversations (text only)"
FIELD_KEEP_HISTORY_DESCRIPTION = (
    "Questions and answers are saved as text on this computer, never images. "
    "Turning this off deletes the saved history."
)
CLEAR_HISTORY_NAME = "Clear conversation history"
HISTORY_RESULT_NAME = "History"
HISTORY_CLEARED = "Conversation history cleared. Conversations deleted: {count}."
HISTORY_TURNED_OFF = "Conversation history is off. Saved conversations deleted: {count}."
HISTORY_TURNED_ON = "Conversation history is on: questions and answers are saved as text."
HISTORY_CLEAR_FAILED = "Iris cannot delete the conversation history at {path}: {reason}"

# --- region selector ----------------------------------------------------------------------
REGION_NAME = "Choose a region"
REGION_HELP = (
    "Arrow keys move the rectangle by 10 pixels, with Control by 1 pixel. "
    "Shift with the arrow keys changes its size. "
    "Enter describes the region, Escape cancels. You can also drag with the mouse."
)
REGION_VALUE = "Region {width} by {height} at {x}, {y}"
# The region chooser's accessible description: {region} is REGION_VALUE, {help} is REGION_HELP.
REGION_DESCRIPTION = "{region}. {help}"

# --- tray ---------------------------------------------------------------------------------
TRAY_TOOLTIP = "Iris"

# --- start at login (XDG autostart, the Windows Run key, a macOS LaunchAgent) ---------------
AUTOSTART_COMMENT = "Describe the screen and read its text aloud"
AUTOSTART_PLACE_RUN_KEY = "the value {name} of the registry key {key}"
AUTOSTART_ON_FAILED = (
    "Iris cannot set itself to start when you log in: {place} cannot be written ({reason}). "
    "The setting stays on, and Iris tries again the next time you save its settings."
)
AUTOSTART_OFF_FAILED = (
    "Iris cannot stop starting when you log in: {place} cannot be removed ({reason}). "
    "The setting stays off, and Iris tries again the next time you save its settings."
)

# --- speech ------------------------------------------------------------------------------------
SPEECH_ENGINE_MISSING = "no speech engine is installed ({reason}); answers are shown only."
SPEECH_ENGINE_FAILED = "the speech engine stopped working ({reason}); answers are shown only."
SPEECH_NO_AUDIO_PLAYER = "no audio player (aplay or paplay) was found; answers are shown only."
SPEECH_SCREEN_READER_MISSING = (
    "your screen reader cannot be reached ({reason}); Iris uses its own voice instead."
)
SPEECH_ENGINE_NOT_STARTED = "the speech engine could not start ({reason}); answers are shown only."
SPEECH_NO_SOUND = "sound cannot be played ({reason}); answers are shown only."
SPEECH_FILES_UNWRITABLE = "speech files cannot be written to {path} ({reason})."

# --- faults survived: damaged weights, a model too big for memory --------------------------
MODEL_WEIGHTS_DAMAGED = (
    "The model {model} cannot be loaded: its weights file {file} is damaged or incomplete. "
    "Download or copy the model again, or choose another model."
)
MODEL_OUT_OF_MEMORY_TRY_SMALLER = (
    "The model {model} does not fit in this computer's memory. Choose a smaller model, "
    "such as {smaller}, which needs about {memory:g} GB."
)
MODEL_OUT_OF_MEMORY_NO_SMALLER = (
    "The model {model} does not fit in this computer's memory, and Iris knows no smaller "
    "model. Close other programs to free memory, then try again."
)

# --- privacy and supply chain: hashes of downloads, the debug switch -----------------------
MODEL_HASH_MISMATCH = (
    "The download of {model} is damaged or was changed on the way: {files} did not match the "
    "checksums the Hugging Face Hub lists, so Iris deleted them. Download the model again."
)

# --- working beside a screen reader: focus, closing, confirmations -------------------------
FIELD_BRING_TO_FRONT = "Bring Iris to the front after a hotkey"
FIELD_BRING_TO_FRONT_DESCRIPTION = (
    "Off: the focus stays in the program you work in, and the answer is spoken there."
)
SPOKEN_READY = "Ready."
"""Said once when the model has loaded (the status line names the model)."""
STATUS_ASK_ABOUT_SCREEN = (
    "Screen captured. Type your question and press Enter. Escape goes back to where you were."
)
CLOSE_TITLE = "Close Iris"
CLOSE_QUESTION = (
    "There is no system tray on this desktop. Keep Iris running in the background, so that its "
    "keys go on working? {show_hotkey} shows this window again."
)
CLOSE_KEEP_RUNNING = "Keep running"
CLOSE_QUIT = "Quit Iris"
STATUS_RUNNING_IN_BACKGROUND = (
    "Iris runs in the background. {show_hotkey} shows its window again; Control+Q in it quits."
)

# --- the macOS app bundle's permission explanations (packaging/iris_app.py: Info.plist) --------
# macOS shows these in its permission prompts and in System Settings, where VoiceOver reads them.
MACOS_COPYRIGHT = "Iris is free software under the Apache License 2.0."
MACOS_SCREEN_CAPTURE_USAGE = (
    "Iris takes a picture of your screen or of one window only when you press one of its "
    "describe or read keys, so that it can tell you what is shown there. The picture stays on "
    "this Mac."
)
MACOS_ACCESSIBILITY_USAGE = (
    "Iris needs Accessibility access so that its keyboard shortcuts, such as Control-Option-"
    "Shift-D to describe the screen, work while you are in any other app."
)
MACOS_INPUT_MONITORING_USAGE = (
    "Iris watches for its own keyboard shortcuts, such as Control-Option-Shift-D, so that they "
    "work in any app. It does not record or keep what you type."
)

# -- speech routing --
SCREEN_READER_GENERIC = "your screen reader"
"""The name Iris uses for a screen reader it finds running but cannot name."""
SPEECH_ROUTE_SCREEN_READER = (
    "Iris speaks through {screen_reader}'s voice. To use Iris's own voice instead, open "
    "Settings, Speech."
)
SPEECH_ROUTE_OWN_VOICE_BESIDE = (
    "Iris speaks with its own voice while {screen_reader} runs, so you may hear two voices at "
    "once. To hear Iris in {screen_reader}'s voice instead, open Settings, Speech."
)
SPEECH_ROUTE_NO_HAND_OFF = (
    "Iris cannot speak through {screen_reader}, so it uses its own voice, and you may hear two "
    "voices at once."
)
SPEECH_ROUTE_HAND_OFF_FAILED = (
    "Iris cannot reach {screen_reader}'s voice ({reason}), so it speaks with its own voice."
)

# --- the focused item, the item under the pointer, the accessibility tree -----------------
STATUS_DESCRIBING_FOCUSED = "Describing the focused item."
STATUS_DESCRIBING_POINTER = "Describing the item under the pointer."
# Said after STATUS_DESCRIBING_* when the item is partly scrolled away or off the screen.
ITEM_CLIPPED = "Only part of it is visible; Iris describes that part."
NO_FOCUSED_ITEM = (
    "No item has the keyboard focus, or its program does not tell Iris where it is. "
    "Try Describe window instead."
)
NO_ITEM_UNDER_POINTER = (
    "The program under the pointer does not tell Iris what is there. Try Describe region instead."
)
# {role} is a Role's words ("button"); {name} the item's name as the program gives it.
ITEM_NOT_ON_SCREEN_NAMED = (
    "The {role} {name} has no place on the screen, so there is nothing to capture."
)
ITEM_NOT_ON_SCREEN = "The {role} has no place on the screen, so there is nothing to capture."
ACCESSIBILITY_UNAVAILABLE = (
    "Iris cannot ask the accessibility service which item you are on ({reason}). "
    "Try Describe window instead."
)
ACCESSIBILITY_UNSUPPORTED = "Finding the focused item is not supported on {platform}."
# Answers to "Where is …?" found in the accessibility tree or the text reader's boxes.
# {what} is WHERE_ITEM or WHERE_TEXT; {position} is a POSITION_* row and column ("top left");
# {area} is WHERE_AREA_*.
WHERE_ITEM = "{name}, {role},"
WHERE_TEXT = "The text {text}"
WHERE_FOUND = "{what} is at the {position} of the {area}."
WHERE_AREA_WINDOW = "window"
WHERE_AREA_SCREEN = "screen"
WHERE_AREA_PICTURE = "picture"
# Positions in thirds, row then column: "top left", "middle centre", "bottom right".
POSITION = "{row} {column}"
POSITION_ROWS = ("top", "middle", "bottom")
POSITION_COLUMNS = ("left", "centre", "right")
# Move the pointer there.
POINTER_MOVED = "Pointer moved there."
NOTHING_TO_POINT_AT = (
    "There is no place to move the pointer to yet. Ask where something is, or describe the "
    "focused item, first."
)
POINTER_MOVE_FAILED = "Cannot move the pointer: {reason}"

# The accessibility service on Windows (UI Automation through comtypes) and macOS (AX).
ACCESSIBILITY_NEEDS_PACKAGE = (
    "Iris cannot ask the accessibility service which item you are on: the Python package "
    "{package} is not installed."
)
ACCESSIBILITY_MACOS_PERMISSION = (
    "Iris cannot ask macOS which item you are on: Iris is not allowed to use accessibility. "
    "Open System Settings, Privacy and Security, Accessibility, turn Iris (or the terminal that "
    "runs it) on, then try again."
)

# The {reason} of ACCESSIBILITY_UNAVAILABLE on Linux (AT-SPI).
ATSPI_NO_SESSION_BUS = "there is no D-Bus session bus"
ATSPI_NO_BUS = "the accessibility bus is not running"
ATSPI_NO_REGISTRY = "the accessibility registry is not running"
ATSPI_NO_ANSWER = "the accessibility bus did not answer in time"
ATSPI_LOST = "the connection to the accessibility bus was lost"

# The model's own process (engine/process): it ended while Iris needed it. One sentence each.
MODEL_PROCESS_KILLED = (
    "The model's process was killed, perhaps because the computer ran short of memory; ask "
    "again to restart it, or choose a smaller model such as {smaller} in Settings."
)
MODEL_PROCESS_KILLED_SMALLEST = (
    "The model's process was killed, perhaps because the computer ran short of memory; close "
    "some programs and ask again to restart it."
)
# {cause}: MODEL_PROCESS_CAUSES' words for the signal, or MODEL_PROCESS_EXIT_CODE.
MODEL_PROCESS_CRASHED = "The model's process crashed ({cause}); ask again to restart it."
MODEL_PROCESS_CAUSES = {
    "SIGSEGV": "a memory fault",
    "SIGBUS": "a memory fault",
    "SIGABRT": "it aborted",
    "SIGILL": "an instruction this processor lacks",
    "SIGFPE": "an arithmetic fault",
    "SIGTERM": "it was told to end",
}
MODEL_PROCESS_EXIT_CODE = "exit code {code}"
MODEL_PROCESS_GAVE_UP = (
    "The model's process ended {count} times in a row while loading, so Iris stopped "
    "restarting it; choose another model in Settings, or restart Iris to try again."
)
MODEL_PROCESS_NOT_STARTED = "The model's process could not be started: {reason}"
PROCESS_CANNOT_READ = "This process has no text reader."
# Unloading the model (the Unload action, and after some minutes unused).
STATUS_UNLOADED = "Model unloaded; it loads again when you next ask."
STATUS_UNLOADED_IDLE = (
    "Model unloaded after {minutes} minutes unused; it loads again when you next ask."
)
STATUS_NOTHING_TO_UNLOAD = "The model is not loaded."
STATUS_NOTHING_TO_UNLOAD_SERVER = "The model runs on a server: there is nothing to unload here."
STATUS_RELOADING = "Loading the model…"
STATUS_LOADS_AT_FIRST_USE = "Ready. The model loads when you first ask."
STATUS_RELOADED = "Model loaded in {seconds:.1f} seconds."

# --- memory checked before a model loads (engine/models/memory.py) -------------------------
# {model} is the model's Hub id or folder; {need} and {free} are SIZE_GB ("about 1.5 GB"),
# {need} counting a little room for the system; {smaller} is a catalogue model's Hub id.
MEMORY_TOO_LITTLE_TRY_SMALLER = (
    "There is not enough free memory to load {model}: it needs {need} and {free} is free. "
    "Close some programs, or choose a smaller model such as {smaller} (Settings, Model)."
)
# A smaller model exists, but none fits either; {smallest_need} is SIZE_GB.
MEMORY_TOO_LITTLE_EVEN_SMALLEST = (
    "There is not enough free memory to load {model}: it needs {need} and {free} is free. "
    "Even the smallest model Iris knows, {smaller}, needs {smallest_need}. "
    "Close some programs, then try again."
)
# The model is already the smallest Iris knows that runs without a graphics card.
MEMORY_TOO_LITTLE_NO_SMALLER = (
    "There is not enough free memory to load {model}: it needs {need} and {free} is free, "
    "and Iris knows no smaller model. Close some programs, then try again."
)

# --- the "auto" model: which model this computer runs best (engine/models/choice.py) -------
# What a model is good at; fills {strength} below.
STRENGTH_FASTEST = "the fastest, with shorter descriptions"
STRENGTH_BETTER = "better descriptions, still quick"
STRENGTH_BEST_SMALL = "better descriptions and reading of small text"
# {model} is a model's short name, {words} a whole number of words a second estimated for this
# computer, {memory} the memory it needs in GB.
MODEL_CHOICE_REASON = (
    "{model}: {strength}, about {words} words a second on this computer, {memory:g} GB."
)
# No better model keeps up with speech or fits in the memory free; the smallest is chosen.
MODEL_CHOICE_ONLY_SMALLEST = (
    "{model}: {strength}, about {words} words a second on this computer, {memory:g} GB. "
    "No bigger model fits in the memory free or keeps up with speech here."
)
# A graphics card has room for a bigger model.
MODEL_CHOICE_GPU = "{model}: {strength}, on the graphics card, {memory:g} GB."
# Settings, Model: {reason} is MODEL_CHOICE_REASON or one of its kind.
MODEL_RECOMMENDED = "Recommended for this computer: {reason}"
# The button that sets the model to auto (the recommended one, chosen again at each load).
USE_RECOMMENDED_MODEL = "Use the recommended model"
# `iris models list`, after the table; {reason} is MODEL_CHOICE_REASON or one of its kind.
MODELS_RECOMMENDED_CLI = (
    "Recommended for this computer: {reason} Use --model auto to follow the recommendation."
)

# --- low vision: the window's colours and text size (gui/appearance.py) -------------------
FIELD_THEME = "Colours"
THEME_SYSTEM = "Follow the system"
THEME_HIGH_CONTRAST_DARK = "High contrast: light text on black"
THEME_HIGH_CONTRAST_LIGHT = "High contrast: dark text on white"
FIELD_TEXT_SIZE = "Text size (percent)"
FIELD_TEXT_SIZE_DESCRIPTION = (
    "The size of the conversation, the answer and the question; "
    "Ctrl+plus, Ctrl+minus and Ctrl+0 change it in the window."
)
# Said after Larger text, Smaller text or Normal text size; {percent} is a whole number.
TEXT_SIZE_NOW = "Text size {percent} percent."
# The labels shown above the window's panes.
CONVERSATION_LABEL = "Conversation"
ANSWER_LABEL = "Answer"
MENU_VIEW = "&View"
# --- model families Iris cannot prompt, and generation failures (engine/local) -------------
# {model} is the model's Hub id or folder; {kind} its model_type (e.g. "paligemma").
MODEL_NO_CHAT_TEMPLATE = (
    "The model {model} ({kind}) has no chat template, so Iris cannot ask it questions the way "
    "it was trained to answer them. Choose a chat model instead, such as {default} "
    "(Settings, Model)."
)
# Turning the conversation into the model's inputs failed (its processor raised).
PROMPT_FAILED = (
    "Iris could not put the question into the form the model {model} reads. Try again, or "
    "choose another model (Settings, Model). The details are in Iris's log."
)

# --- answers in the user's language (core/languages.py, gui/language_notice.py) -----------
# The Answer language field's hint when it is empty; {language} is a language's own name
# ("Deutsch"), the language the interface is shown in.
FIELD_ANSWER_LANGUAGE_DEFAULT = N_("Empty: {language}, the language of Iris's window")
# The Answer language field's accessible description; "Deutsch" and "de" are examples.
FIELD_ANSWER_LANGUAGE_DESCRIPTION = N_(
    "The language answers are asked for: its name or code, such as Deutsch, German or de. "
    "Empty: the language of Iris's window."
)
# Said once a session, before a description, when the model's card names English as its only
# language; {model} is the model's name, {language} the answer language ("Deutsch").
ENGLISH_ONLY_MODEL = N_(
    "The model {model} was trained in English only, so its answers may come in English "
    "rather than in {language}."
)
# Translators: a cell of `iris models list`'s LANGUAGES column: the model card does not say
# which languages the model was trained for (a model Iris does not know).
MODEL_LANGUAGES_UNKNOWN = N_("unknown")
# --- saved prompts ------------------------------------------------------------------------
TAB_PROMPTS = N_("Prompts")
MENU_PROMPTS = N_("&Prompts")
# The names of the saved prompts Iris ships with (the user can rename them).
PROMPT_ALT_TEXT = N_("Alt text for the web")
PROMPT_ERROR_DIALOG = N_("Error dialog")
# Translators: a saved prompt that describes a chart or graph.
PROMPT_CHART = N_("Chart")
PROMPT_WHAT_CHANGED = N_("What changed")
# The fields of a saved prompt (Settings, Prompts, Add or Edit).
PROMPT_FIELD_NAME = N_("Name")
PROMPT_FIELD_INSTRUCTION = N_("Instruction to the model")
PROMPT_FIELD_QUESTION = N_("Question asked first (optional)")
PROMPT_FIELD_QUESTION_DESCRIPTION = N_(
    "Iris asks you this before it captures, and gives your answer to the model."
)
PROMPT_FIELD_DETAIL = N_("Detail")
PROMPT_DETAIL_SHORT = N_("Short")
PROMPT_DETAIL_DETAILED = N_("Detailed")
PROMPT_FIELD_GROUND = N_("Give the model the text found on the screen")
# Translators: what a saved prompt captures and looks at.
PROMPT_FIELD_TARGET = N_("Looks at")
PROMPT_TARGET_SCREEN = N_("The screen")
PROMPT_TARGET_WINDOW = N_("The active window")
PROMPT_TARGET_REGION = N_("A region I choose")
PROMPT_TARGET_CHANGES = N_("The active window, compared with its previous capture")
PROMPT_FIELD_HOTKEY = N_("Global hotkey (optional)")
PROMPT_NAME_REQUIRED = N_("The prompt needs a name.")
PROMPT_INSTRUCTION_REQUIRED = N_("The prompt needs an instruction to the model.")
PROMPT_NAME_TAKEN = N_("Another saved prompt is already called {name}.")
PROMPT_HOTKEY_INVALID = N_("The hotkey of the prompt {name} cannot be used: {reason}")
PROMPT_HOTKEY_NO_MODIFIER = N_(
    "The hotkey {text} of the prompt {name} needs Ctrl, Alt, Shift or Super with its key."
)
PROMPT_HOTKEY_TAKEN = N_("The hotkey {text} of the prompt {name} is already used by {other}.")
# The Prompts page of Settings.
PROMPTS_LIST_NAME = N_("Saved prompts")
PROMPT_ADD = N_("&Add…")
PROMPT_EDIT = N_("&Edit…")
PROMPT_REMOVE = N_("Re&move")
PROMPT_MOVE_UP = N_("Move &up")
PROMPT_MOVE_DOWN = N_("Move d&own")
PROMPTS_EXPORT = N_("E&xport…")
PROMPTS_IMPORT = N_("&Import…")
PROMPT_EDITOR_TITLE = N_("Saved prompt")
PROMPTS_FILE_FILTER = N_("Saved prompts (*.json)")
PROMPTS_RESULT_NAME = N_("Import and export result")
# A list entry: the prompt's name and, when it has one, its hotkey.
PROMPT_ENTRY_WITH_HOTKEY = N_("{name} ({hotkey})")
PROMPTS_EXPORTED = N_("Saved prompts written to {path}: {count}.")
PROMPTS_IMPORTED = N_("Saved prompts imported from {path}: {count}. Press OK to keep them.")
# Import and export problems: one sentence saying what is wrong and where.
PROMPTS_FILE_NOT_WRITTEN = N_("Cannot write {path}: {reason}.")
PROMPTS_FILE_BAD_JSON = N_(
    "{path} is not valid JSON (line {line}, column {column}: {reason}); nothing was imported."
)
PROMPTS_FILE_NOT_PROMPTS = N_(
    'The file {path} holds no saved prompts (it needs "version": 1 and a "prompts" list); '
    "nothing was imported."
)
PROMPTS_FILE_WRONG_VERSION = N_(
    "The file {path} is of version {version}, which this Iris cannot read (it reads "
    "version 1); nothing was imported."
)
PROMPTS_FILE_BAD_ENTRY = N_(
    "Prompt {number} in {path} cannot be used ({problem}); nothing was imported."
)
# One entry of the saved prompts list in the settings file was dropped; {problem} is one or
# more SETTING_* details.
PROMPT_ENTRY_DROPPED = N_("{label}, entry {number}, was dropped: {problem}")
PROMPT_ENTRY_NOT_AN_OBJECT = N_("it is not a group of fields")
PROMPT_ENTRY_DUPLICATE = N_("the name {name} is used by an earlier prompt")
KIND_LIST = N_("a list")
# Running a saved prompt.
STATUS_RUNNING_PROMPT = N_("Running the prompt {name}.")
NO_PREVIOUS_CAPTURE = N_(
    "There is no earlier capture of this window to compare with, so Iris describes it as it is now."
)
PROMPT_QUESTION_SKIPPED = N_("Cancelled: the prompt {name} was not run.")
# The command line: `iris describe --prompt NAME`.
PROMPT_UNKNOWN = N_("No saved prompt is called {name}. The saved prompts are: {names}.")
PROMPTS_NONE = N_("There are no saved prompts.")
PROMPTS_IMPORTED_SAVED = N_("Saved prompts imported from {path} and saved: {count}.")
