"""Every string Iris shows or speaks to the user, in one place (as Orca's messages.py).

Strings with fields are filled with `str.format`. Each is marked with `N_` (plural ones with
`NP_`) for translation: `core.i18n.install` rebinds them to the interface language's words.
Babel extracts them with the comments that start "Translators:".
"""

from __future__ import annotations

from desktop_app.core.i18n import N_, NP_

# --- images -------------------------------------------------------------------------------
FILE_NOT_FOUND = N_("No file at {path}.")
IS_A_FOLDER = N_("{path} is a folder, not an image file.")
FILE_EMPTY = N_("{path} is empty (zero bytes).")
FILE_UNREADABLE = N_("Cannot read {path}: {reason}.")
NOT_AN_IMAGE = N_("{path} is not an image Iris can read.")
IMAGE_DAMAGED = N_("{path} is damaged or incomplete ({reason}).")
IMAGE_TOO_LARGE = N_(
    "{path} is too large to describe safely ({width} by {height} pixels). "
    "Crop or scale it down first."
)
IMAGE_BOMB = N_("{path} declares an enormous size and was refused to protect your memory.")
# Translators: Reasons for IMAGE_DAMAGED, in place of the decoder's own words (bad input is fuzzed
# in the tests).
IMAGE_ENDS_EARLY = N_("the file ends before the whole picture")
IMAGE_DATA_CORRUPT = N_("its picture data is corrupt")
NO_IMAGES = N_("Give at least one image file.")
FOLDER_NOT_FOUND = N_("No folder at {path}.")
FOLDER_HAS_NO_IMAGES = N_("No image files in {path}.")

# --- models -------------------------------------------------------------------------------
MODEL_FOLDER_NOT_FOUND = N_("No model folder at {path}.")
MODEL_UNKNOWN = N_("No model called {model} exists on the Hugging Face Hub.")
MODEL_OFFLINE = N_(
    "The model {model} is not downloaded yet and the internet cannot be reached. "
    "Connect once and run: iris models download {model}"
)
# The same, in the window, where Settings has a Download the model button
# (DOWNLOAD_MODEL).
MODEL_OFFLINE_IN_WINDOW = N_(
    "The model {model} is not downloaded yet and the internet cannot be reached. "
    "Connect to the internet, then choose Download the model in Settings, on the Model page."
)
MODEL_DOWNLOAD_FAILED = N_("Downloading {model} failed: {reason}")
MODEL_NO_WEIGHTS = N_("The model folder {path} holds no weights (no .safetensors file).")
MODEL_PICKLE_ONLY = N_(
    "The model folder {path} holds only pickle (.bin/.pt) weights, which can run hidden code. "
    "Iris loads safetensors weights only."
)
MODEL_PICKLE_ONLY_HUB = N_(
    "The model {model} on the Hub has only pickle (.bin/.pt) weights, which can run hidden code. "
    "Iris loads safetensors weights only."
)
MODEL_CUSTOM_CODE = N_(
    "The model {model} needs its own Python code to run. Iris never runs code that comes "
    "with a model."
)
MODEL_NO_CONFIG = N_("The model folder {path} has no config.json; it is not a transformers model.")
MODEL_UNSUPPORTED = N_("The model {model} ({kind}) is not a vision-language model Iris supports.")
MODEL_BROKEN = N_("The model {model} could not be loaded: {reason}")
MODEL_NEEDS_TORCHVISION = N_(
    "The model {model} needs the package torchvision, which this copy of Iris does not include. "
    "Choose a SmolVLM model instead (SmolVLM2 needs torchvision), such as {default}, or install "
    "Iris with pip or pipx, which brings torchvision."
)
MODEL_OUT_OF_MEMORY = N_(
    "The model {model} does not fit in this computer's memory. Choose a smaller model."
)
QUANT_UNAVAILABLE = N_("{quant} needs the package {package}, which is not installed.")
QUANT_UNSUPPORTED = N_("{quant} is not available for {device}.")
DEVICE_UNAVAILABLE = N_("The device {device} is not available on this computer.")
READER_MISSING = N_("The text reader is not installed properly ({reason}); reinstall Iris.")
READER_FAILED = N_("Reading the text failed: {reason}")
NO_TEXT_FOUND = N_("No text found in this image.")
UNCLEAR_WORD = N_("{word} (unclear)")
# Translators: between the cells of a table row the text reader found; keep the space.
CELL_SEPARATOR = N_("; ")
READER_DESCRIPTION = N_("text reader (PP-OCRv4, on this computer)")
STAGE_READER = N_("Loading text reader")
# Translators: The model raised while writing; its own text goes to the log, never to the user.
GENERATION_FAILED = N_(
    "The model stopped with an error while writing the answer. Try again, or choose another "
    "model (Settings, Model). The details are in Iris's log."
)

# --- a model server the user controls ------------------------------------------------------
# {server} is "host:port" as the user wrote it.
LOCATION_THIS_COMPUTER = N_("on this computer")
LOCATION_SERVER = N_("on the server {server}")
LOCATION_SERVER_PLAIN = N_("on the server {server}, not encrypted")
LOCATION_LINE = N_("Model runs {location}.")
LOCAL_DESCRIPTION = N_("{model}, {placement}, on this computer")
SERVER_DESCRIPTION = N_("{model} on the server {server}")
SERVER_URL_MISSING = N_(
    "No server address is set. Enter it in Settings, for example http://gpu-box:8000."
)
SERVER_URL_BAD = N_(
    "{url} is not a server address Iris understands. Use one like http://gpu-box:8000."
)
SERVER_UNREACHABLE = N_(
    "Cannot reach the model server at {server}: nothing answers there. "
    "Check that the server is running and that the address and port are right."
)
SERVER_UNKNOWN_HOST = N_(
    "Cannot find the model server {server}: no computer has that name. Check the address."
)
SERVER_TIMEOUT_CONNECT = N_("The model server {server} did not answer within {seconds:g} seconds.")
SERVER_TLS_FAILED = N_(
    "The secure connection to {server} failed: {reason}. If the server uses its own "
    "certificate, give its certificate authority file in Settings."
)
SERVER_AUTH = N_(
    "The model server {server} refused Iris ({status}): the API key is missing or wrong. "
    "Enter the right key in Settings."
)
SERVER_MODEL_MISSING = N_("The server {server} has no model called {model}. It has: {models}.")
SERVER_MODEL_MISSING_NONE = N_("The server {server} has no model called {model}.")
SERVER_MODEL_NOT_SET = N_(
    "Choose which of the server's models to use in Settings. It has: {models}."
)
SERVER_NO_MODELS = N_("The server {server} lists no models.")
SERVER_BUSY = N_("The model server {server} is busy ({status}). Try again in a moment.")
SERVER_BUSY_WAIT = N_(
    "The model server {server} is busy ({status}). Try again in {seconds:g} seconds."
)
SERVER_RETRYING = N_("The model server is busy; trying again in {seconds:g} seconds.")
SERVER_FAILED = N_("The model server {server} could not answer ({status}): {reason}")
SERVER_NOT_OPENAI = N_(
    "{server} answered, but not as an OpenAI-compatible model server ({reason}). "
    "Check the address and port."
)
SERVER_STREAM_CUT = N_(
    "The connection to the model server broke off before the answer was finished."
)
SERVER_STREAM_MALFORMED = N_("The model server sent an answer Iris cannot read ({reason}).")
SERVER_STALLED = N_(
    "The model server stopped sending for {seconds:g} seconds, so Iris gave up waiting."
)
SERVER_ANSWER_ERROR = N_("The model server reported an error: {reason}")
SERVER_CONSENT_TITLE = N_("Send images to the server?")
SERVER_CONSENT_QUESTION = N_(
    "Iris is set to use the model server {server}. To describe or answer, your screenshots, "
    "images and questions will be sent to that computer. Do you agree? Iris asks only once "
    "for this server."
)
SERVER_CONSENT_QUESTION_PLAIN_HTTP = N_(
    "Iris is set to use the model server {server}. To describe or answer, your screenshots, "
    "images and questions will be sent to that computer. Do you agree? Iris asks only once "
    "for this server. Warning: the address starts with http, not https, so anyone on the "
    "network between here and there could see them."
)
"""SERVER_CONSENT_QUESTION for a server reached unencrypted across a network."""
SERVER_CONSENT_DECLINED = N_(
    "Nothing was sent. Iris will not use {server} until you agree; choose Settings to "
    "change where the model runs."
)
SERVER_CONSENT_NEEDED_CLI = N_(
    "Images would go to {server}, which is not this computer. Run once at a terminal to "
    "answer the question, or add --allow-remote to agree."
)
SERVER_CONSENT_PROMPT_CLI = N_("{question} [y/N] ")
SERVER_PLAIN_HTTP_WARNING = N_(
    "Warning: {server} is reached over plain http, not encrypted. Images and questions "
    "can be read on the way."
)
SERVER_CHECK_OK = N_("Connected to {server} in {latency_ms:.0f} milliseconds. Models: {models}.")
SERVER_CHECK_RUNNING = N_("Testing the connection to {server}.")
SERVER_KEY_SESSION_ONLY = N_(
    "No system keyring is available, so the API key is kept only until Iris closes."
)
# Translators: after an answer the connection broke off.
SERVER_ANSWER_UNFINISHED = N_("(unfinished)")
# Translators: The window's side of a model server: the Settings group, the location line, faults.
# Translators: added after an answer a fault broke off; keep the leading space.
UNFINISHED_FAULT_SUFFIX = N_(" (unfinished)")
"""Marks an answer a fault broke off (its text so far is kept)."""
LOCATION_NAME = N_("Model location")
SERVER_GROUP_TITLE = N_("Where the model runs")
SERVER_RUNS_HERE = N_("On this computer")
SERVER_RUNS_ON_SERVER = N_("On a server I control")
LOCAL_GROUP_TITLE = N_("The model on this computer")
FIELD_SERVER_URL = N_("Server address")
FIELD_SERVER_URL_HINT = N_("for example http://gpu-box:8000")
FIELD_SERVER_MODEL = N_("Model on the server")
FIELD_SERVER_MODEL_DESCRIPTION = N_(
    "The model's name as the server lists it. Empty: the server's only model. "
    "Test connection fills the list."
)
FIELD_SERVER_API_KEY = N_("API key")
FIELD_SERVER_API_KEY_HINT = N_("Empty: the server needs none")
FIELD_SERVER_API_KEY_DESCRIPTION = N_("Kept in the system keyring, never in Iris's settings file.")
FIELD_SERVER_VERIFY_TLS = N_("Check the server's certificate")
FIELD_SERVER_CA_FILE = N_("Certificate authority file")
FIELD_SERVER_CA_FILE_HINT = N_("Empty: the system's certificates")
# Translators: a button that opens a file chooser.
CHOOSE_CA_FILE = N_("Browse…")
CHOOSE_CA_FILE_NAME = N_("Choose certificate authority file")
CHOOSE_CA_FILE_TITLE = N_("Choose the server's certificate authority file")
CA_FILE_FILTER = N_("Certificates (*.pem *.crt *.cer);;All files (*)")
FIELD_SERVER_CONNECT_TIMEOUT = N_("Connect timeout in seconds")
FIELD_SERVER_STALL_TIMEOUT = N_("Give up when the server is silent for, in seconds")
ACTION_TEST_CONNECTION = N_("Test connection")
SERVER_CHECK_RESULT_NAME = N_("Connection test result")
SERVER_CHECK_NO_MODELS = N_(
    "Connected to {server} in {latency_ms:.0f} milliseconds, but it lists no models."
)
PROBLEM_SERVER_URL = N_("Server address: {reason}")
PROBLEM_SERVER_CA_FILE = N_("Certificate authority file: {path} does not exist.")
SERVER_CONSENT_DECLINED_CLI = N_("Nothing was sent: you did not agree to send images to {server}.")
SERVER_MODELS_LATENCY = N_("{server} answered in {latency_ms:.0f} milliseconds.")
SERVER_EDGE_TOO_SMALL = N_("With --server, --longest-edge must be at least {pixels} pixels.")

# --- progress -----------------------------------------------------------------------------
STAGE_DOWNLOAD = N_("Downloading model")
STAGE_LOAD = N_("Loading model")
STAGE_QUANTIZE = N_("Preparing model for this computer")
STAGE_READY = N_("Model ready")
STAGE_CONNECT = N_("Connecting to the model server")

# --- command line -------------------------------------------------------------------------
CLI_DESCRIPTION = N_(
    "Iris describes screens and images for blind and low-vision people, "
    "with a vision-language model that runs on your own computer."
)
# Translators: printed when the user pressed Control+C at the command line.
CLI_INTERRUPTED = N_("Stopped.")
CLI_ANSWER_CANCELLED = N_("(answer stopped before the end)")
BATCH_DONE = NP_(
    "Wrote {count} row to {path} ({failed} failed).",
    "Wrote {count} rows to {path} ({failed} failed).",
)
MODELS_DOWNLOADED = N_("Downloaded {model} to {path}.")
# Translators: a column of `iris models list`: the model is on this computer.
MODEL_IN_CACHE = N_("downloaded")
MODEL_NOT_IN_CACHE = N_("not downloaded")
MODEL_BUNDLED = N_("bundled with Iris")
# Translators: a table cell with no value; keep it short.
MODEL_FACT_UNKNOWN = N_("-")
LABELS_REQUIRED = N_("--task classify needs --labels, for example --labels cat,dog,car.")
# Translators: a heading printed above each image's text; {name} is the file name.
READ_HEADING = N_("== {name} ==")
# Translators: Q is short for Question, before the user's question in saved text.
TURN_HEADER = N_("Q: {question}")

# --- window: names read by screen readers ---------------------------------------------------
# Translators: the program's name; keep it unless your language writes it in another script.
APP_NAME = N_("Iris")
# Translators: the main window's title: the program's name.
WINDOW_TITLE = N_("Iris")
CONVERSATION_NAME = N_("Conversation")
CONVERSATION_DESCRIPTION = N_("Questions and answers, newest last.")
# Translators: a noun: the pane that shows the model's answer.
ANSWER_NAME = N_("Answer")
ANSWER_DESCRIPTION = N_("The newest or selected answer, to read line by line.")
# Translators: a noun: the field where the user types a question.
QUESTION_NAME = N_("Question")
QUESTION_PLACEHOLDER = N_("Ask about the image, then press Enter")
# Translators: a noun: the status line at the bottom of the window.
STATUS_NAME = N_("Status")
# Translators: an accessible name: a label, then the text it labels.
LABELLED_TEXT = N_("{label}: {text}")
"""A line's accessible name: what it is, then what it says ("Status: Done.")."""
PROGRESS_NAME = N_("Model progress")
ACTION_TOOLTIP = N_("{label} ({keys})")
# Translators: a menu title; & marks the letter of its Alt shortcut (use one in the word).
MENU_FILE = N_("&File")
# Translators: a menu title; & marks the letter of its Alt shortcut.
MENU_DESCRIBE = N_("&Describe")
# Translators: a menu title; & marks the letter of its Alt shortcut.
MENU_READ = N_("&Read text")
# Translators: a menu title; & marks the letter of its Alt shortcut.
MENU_CONVERSATION = N_("&Conversation")
OPEN_IMAGE_FILTER = N_("Images (*.png *.jpg *.jpeg *.gif *.webp *.bmp *.tif *.tiff);;All files (*)")
YOU_PREFIX = N_("You: {text}")
IRIS_PREFIX = N_("Iris: {text}")
IMAGE_ITEM = N_("Image: {name}, {width} by {height} pixels")
# Translators: after an answer the user stopped; keep the leading space.
UNFINISHED_SUFFIX = N_(" (stopped)")

# --- window: states announced (shown and spoken) -------------------------------------------
# Translators: the model is loaded and Iris can describe.
STATUS_READY = N_("Ready. Model: {model}.")
STATUS_NO_MODEL_YET = N_("Model not loaded yet.")
STATUS_LOADING = N_("Model loading, {percent} percent.")
STATUS_CONNECTING = N_("Connecting to the model server.")
STATUS_LOADING_CANCELLED = N_("Model loading cancelled. Choose Settings to try again.")
STATUS_DESCRIBING_SCREEN = N_("Describing the screen.")
STATUS_DESCRIBING_WINDOW = N_("Describing the window.")
STATUS_DESCRIBING_REGION = N_("Describing the region.")
STATUS_CHOOSE_REGION = N_(
    "Choose a region: arrow keys move it, Shift with arrows resizes it, Enter describes it, "
    "Escape cancels. Or drag with the mouse."
)
STATUS_DESCRIBING_IMAGE = N_("Describing {name}.")
STATUS_READING_SCREEN = N_("Reading the screen's text.")
STATUS_READING_WINDOW = N_("Reading the window's text.")
STATUS_READING_REGION = N_("Reading the region's text.")
STATUS_READING_IMAGE = N_("Reading the image's text.")
STATUS_READING_UNTIL_MODEL = N_(
    "The description model is not downloaded yet, so here is the text Iris can read now. "
    "Full descriptions need the model: choose Download the model in Settings, on the Model "
    "page."
)
STATUS_THINKING = N_("Thinking.")
# Translators: the answer or the speech was stopped by the user.
STATUS_STOPPED = N_("Stopped.")
# Translators: the answer is complete.
STATUS_DONE = N_("Done.")
STATUS_COPIED = N_("Answer copied.")
STATUS_NOTHING_TO_COPY = N_("There is no answer to copy yet.")
STATUS_NOTHING_TO_REPEAT = N_("There is no answer to repeat yet.")
STATUS_NEW_CONVERSATION = N_("New conversation.")
STATUS_NEED_IMAGE = N_("First describe the screen or open an image, then ask about it.")
STATUS_MORE_DETAIL = N_("Looking more closely. This takes longer.")
STATUS_DETAIL_NEEDS_MODEL = N_(
    "More detail needs the description model. Choose Download the model in Settings, on the "
    "Model page."
)
STATUS_EMPTY_QUESTION = N_("Type a question first.")
STATUS_NO_IMAGE_ON_CLIPBOARD = N_("The clipboard holds no image.")
# Translators: the whole message of an error, shown as the status.
STATUS_ERROR = N_("{message}")
# Translators: A capture with nothing in it: said instead of describing it (no model is asked).
CAPTURE_BLACK = N_(
    "The capture is completely black. If Screen Curtain or a privacy screen is on, turn it off "
    "and try again."
)
CAPTURE_WHITE = N_(
    "The capture is completely white. The screen may still be drawing, or be showing a blank "
    "page; try again."
)
CAPTURE_ONE_COLOUR = N_(
    "The capture is one flat colour. The screen may be locked or asleep, showing protected "
    "video, or Iris may not be allowed to record the screen."
)
REGION_BLANK = N_("The chosen region is one flat colour: there is nothing in it to describe.")
STATUS_HOTKEYS_TAKEN = N_("Some hotkeys could not be set: {details}")
# Translators: {details} is one HOTKEY_PROBLEM per hotkey, separated by spaces.
HOTKEY_PROBLEM = N_("{action}: {problem}")
STATUS_SPEECH_PROBLEM = N_("Speech is off: {details}")
DROP_NOT_AN_IMAGE = N_("That is not an image Iris can read.")
NO_DISPLAY_FOR_WINDOW = N_(
    "No display to open the window on. Run Iris from your desktop session, or use the "
    "command line: iris describe IMAGE"
)
FIRST_RUN_TITLE = N_("Download the model?")
FIRST_RUN_DOWNLOAD = N_(
    "Iris needs its model, {model}, to describe images. It is not on this computer yet. "
    "Download it now ({size})? It is saved on this computer and used offline from then on."
)
FIRST_RUN_DECLINED = N_(
    "Iris has no model yet, so it cannot describe images; it can read their text now "
    "(Read screen text, Control Alt Shift T). To download the model later, choose Download "
    "the model in Settings, on the Model page; a model folder on this computer can be picked "
    "there too."
)
SIZE_UNKNOWN = N_("size unknown")
SIZE_GB = N_("about {size:g} GB")


# --- global hotkeys --------------------------------------------------------------------------
# Bad hotkey strings (parse_hotkey); {text} is the string as given.
HOTKEY_EMPTY = N_("No hotkey given.")
HOTKEY_UNKNOWN_PART = N_("The hotkey {text} has a part Iris does not know: {part}.")
HOTKEY_NO_KEY = N_("The hotkey {text} has only modifiers; add a key, for example {text}+D.")
HOTKEY_TWO_KEYS = N_("The hotkey {text} has more than one key: {first} and {second}.")
HOTKEY_NEEDS_MODIFIER = N_(
    "The hotkey {text} would stop you typing {key}. Add Control, Alt or Super to it."
)
# Translators: Registering (listener.start); {hotkey} is format_hotkey's readable form.
HOTKEY_DUPLICATE = N_("{hotkey} is set for both {action} and {other}.")
HOTKEY_TAKEN = N_("{hotkey} is already used by another program. Choose another hotkey.")
HOTKEY_NO_SUCH_KEY = N_("{hotkey} cannot be used: the keyboard layout has no {key} key.")
HOTKEY_FAILED = N_("{hotkey} could not be set: {reason}")
HOTKEY_NO_DISPLAY = N_(
    "Global hotkeys are off: no desktop display was found. Use the Iris window's menus instead."
)
HOTKEY_DISPLAY_FAILED = N_("Global hotkeys are off: the display could not be opened ({reason}).")
HOTKEY_WAYLAND = N_(
    "Global hotkeys are off: this Wayland desktop does not let programs set them. "
    "Use the Iris window's menus, or add the hotkeys in your desktop's keyboard settings."
)
HOTKEY_NEEDS_PACKAGE = N_("Global hotkeys are off: the Python package {package} is not installed.")
HOTKEY_UNSUPPORTED_PLATFORM = N_("Global hotkeys are not supported on {platform}.")
HOTKEY_NOT_ANSWERING = N_("Global hotkeys are off: the hotkey listener stopped answering.")
HOTKEY_MACOS_PERMISSION = N_(
    "Global hotkeys are off: macOS has not allowed Iris to see key presses. Open System "
    "Settings, Privacy and Security, and turn Iris (or the terminal that runs it) on under "
    "both Accessibility and Input Monitoring, then restart Iris."
)

# Translators: Readable names (format_hotkey), as screen readers should speak them.
KEY_CONTROL = N_("Control")
KEY_ALT = N_("Alt")
KEY_OPTION = N_("Option")
KEY_SHIFT = N_("Shift")
KEY_SUPER = N_("Super")
KEY_WINDOWS = N_("Windows")
KEY_COMMAND = N_("Command")
# Translators: names of keys on the keyboard, as screen readers speak them.
KEY_NAMES = {
    "space": N_("Space"),
    "escape": N_("Escape"),
    "tab": N_("Tab"),
    "enter": N_("Enter"),
    "backspace": N_("Backspace"),
    "pause": N_("Pause"),
    "print": N_("Print Screen"),
    "home": N_("Home"),
    "end": N_("End"),
    "insert": N_("Insert"),
    "delete": N_("Delete"),
    "pageup": N_("Page Up"),
    "pagedown": N_("Page Down"),
    "up": N_("Up Arrow"),
    "down": N_("Down Arrow"),
    "left": N_("Left Arrow"),
    "right": N_("Right Arrow"),
}


# --- screen capture --------------------------------------------------------------------------
# No display, or one that cannot be used.
CAPTURE_NO_DISPLAY = N_(
    "Cannot capture the screen: no desktop display was found. Run Iris from your desktop "
    "session, or describe an image file instead."
)
CAPTURE_DISPLAY_FAILED = N_(
    "Cannot capture the screen: the display {display} could not be opened ({reason})."
)
CAPTURE_WAYLAND = N_(
    "Cannot capture the screen: this Wayland desktop has no X11 (XWayland) display that Iris "
    "can read. Choose an Xorg session at login, or describe an image file instead."
)
CAPTURE_FAILED = N_("Cannot capture the screen: {reason}")
CAPTURE_NEEDS_PACKAGE = N_(
    "Cannot capture the screen: the Python package {package} is not installed."
)
CAPTURE_UNSUPPORTED_PLATFORM = N_("Screen capture is not supported on {platform}.")
CAPTURE_MACOS_PERMISSION = N_(
    "Cannot capture the screen: macOS has not allowed Iris to record the screen. Open System "
    "Settings, Privacy and Security, Screen Recording (on newer macOS: Screen and System Audio "
    "Recording), turn Iris (or the terminal that runs it) on, then restart Iris."
)
# Translators: Windows and regions; {region} is format_region's readable form.
CAPTURE_NO_ACTIVE_WINDOW = N_(
    "There is no active window to capture. Switch to a window first, or describe the whole screen."
)
CAPTURE_WINDOW_OFF_SCREEN = N_(
    "The active window is outside the screen, so there is nothing to capture."
)
CAPTURE_REGION_OFF_SCREEN = N_("The region {region} lies outside the screen; nothing to capture.")
CAPTURE_REGION_OFF_IMAGE = N_("The region {region} lies outside the screenshot; nothing to crop.")
# Translators: format_region: how a rectangle is read out.
CAPTURE_REGION = N_("{width} by {height} pixels at {x}, {y}")


# --- settings dialog, region chooser, tray ---------------------------------------------------
# --- settings dialog ----------------------------------------------------------------------
SETTINGS_TITLE = N_("Iris settings")
SETTINGS_TABS_NAME = N_("Settings sections")
TAB_GENERAL = N_("General")
# Translators: a tab of the Settings dialog: the model that describes images.
TAB_MODEL = N_("Model")
TAB_HOTKEYS = N_("Hotkeys")
TAB_SPEECH = N_("Speech")

FIELD_ANSWER_LANGUAGE = N_("Answer language")
FIELD_STYLE = N_("Description style")
# Translators: a description style: short descriptions.
STYLE_SHORT = N_("Short")
# Translators: a description style: long descriptions.
STYLE_DETAILED = N_("Detailed")
# Translators: a description style: the user's own instructions.
STYLE_CUSTOM = N_("Custom")
FIELD_CUSTOM_PROMPT = N_("Custom instructions")
FIELD_CUSTOM_PROMPT_DESCRIPTION = N_("Used only when the description style is Custom.")
FIELD_KEEP_IN_TRAY = N_("Keep Iris in the tray when the window is closed")
FIELD_ALL_MONITORS = N_("Describe all monitors")
FIELD_START_AT_LOGIN = N_("Start Iris when I log in")
FIELD_START_AT_LOGIN_DESCRIPTION = N_(
    "Iris opens by itself each time you log in to this computer, ready for its hotkeys."
)

# Translators: a field's label: which vision-language model Iris uses.
FIELD_MODEL = N_("Model")
FIELD_MODEL_DESCRIPTION = N_(
    "A Hugging Face model id, a model folder on this computer, "
    "or auto for the model recommended for this computer."
)
CHOOSE_FOLDER = N_("Choose folder…")
CHOOSE_FOLDER_NAME = N_("Choose model folder")
CHOOSE_FOLDER_TITLE = N_("Choose a model folder")
FIELD_QUANTIZATION = N_("Precision")
QUANT_AUTO = N_("Automatic (best for this computer)")
QUANT_NONE = N_("Full precision (most memory)")
QUANT_INT8 = N_("8-bit, for the processor")
QUANT_BNB_4BIT = N_("4-bit, for NVIDIA graphics cards (bitsandbytes)")
QUANT_BNB_8BIT = N_("8-bit, for NVIDIA graphics cards (bitsandbytes)")
QUANT_QUANTO_INT8 = N_("8-bit with Quanto")
FIELD_DEVICE = N_("Run the model on")
# Translators: where the model runs: Iris chooses the device.
DEVICE_AUTO = N_("Automatic")
DEVICE_CPU = N_("Processor (CPU)")
DEVICE_CUDA = N_("NVIDIA graphics card (CUDA)")
DEVICE_MPS = N_("Apple graphics (MPS)")
FIELD_LONGEST_EDGE = N_("Image detail: longest edge in pixels")
LONGEST_EDGE_DEFAULT = N_("Model default")
FIELD_SPLIT_IMAGE = N_("Split large images into tiles")
FIELD_GROUND_IN_TEXT = N_("Give the model the text found on the image")
FIELD_MAX_TOKENS = N_("Maximum answer length in tokens")
FIELD_LOAD_AT_START = N_("Load the model when Iris starts")
FIELD_UNLOAD_AFTER = N_("Unload the model after this many minutes unused")
FIELD_UNLOAD_AFTER_DESCRIPTION = N_(
    "Gives the model's memory back to other programs; the next question loads it again, "
    "which takes a few seconds."
)
# Translators: the model is never unloaded (a spin box's value at 0).
UNLOAD_NEVER = N_("Never")

HOTKEY_FIELD = N_("Hotkey for {action}")
HOTKEY_PLACEHOLDER = N_("for example ctrl+alt+shift+d")

FIELD_SPEECH_ENABLED = N_("Speak answers")
# Translators: a field's label: the speech synthesizer's voice.
FIELD_VOICE = N_("Voice")
FIELD_VOICE_HINT = N_("Empty: the system's default voice")
FIELD_RATE = N_("Speaking rate in words per minute")
FIELD_VOLUME = N_("Volume in percent")
FIELD_SPEECH_OUTPUT = N_("Whose voice speaks")
FIELD_SPEECH_OUTPUT_DESCRIPTION = N_(
    "Automatic: your screen reader's voice when one is running, otherwise Iris's own voice."
)
# Translators: whose voice speaks: Iris chooses.
SPEECH_OUTPUT_AUTO = N_("Automatic")
SPEECH_OUTPUT_SCREEN_READER = N_("My screen reader's voice")
SPEECH_OUTPUT_OWN_VOICE = N_("Iris's own voice")

PROBLEMS_NAME = N_("Problems")
PROBLEM_HOTKEY_INVALID = N_("Hotkey for {action}: {reason}")
PROBLEM_HOTKEY_NO_MODIFIER = N_(
    "Hotkey for {action}: {text} needs at least one of Control, Alt, Shift or Super."
)
PROBLEM_HOTKEY_DUPLICATE = N_("Hotkey for {action}: {text} is already used for {other}.")
PROBLEM_LONGEST_EDGE = N_(
    "Image detail: the longest edge must be 0 (model default) or at least 16 pixels."
)
PROBLEM_MODEL_EMPTY = N_("Model: give a model id or choose a model folder.")
PROBLEM_CUSTOM_PROMPT_EMPTY = N_("Custom instructions: write them, or choose another style.")

# --- settings the settings file held but Iris could not use (settings.schema) -------------
SETTINGS_RESET = N_("Some settings could not be used and are back to their defaults: {details}.")
# Translators: between the settings listed in one sentence; keep the space.
SETTINGS_RESET_SEPARATOR = N_("; ")
"""Joins the SETTING_* details of SETTINGS_RESET."""
SETTINGS_FILE_RESET = N_(
    "Iris could not read its settings file, so every setting is back to its default. "
    "The file was kept as {path}."
)
SETTING_WRONG_TYPE = N_("{label} ({value} is not {kind})")
SETTING_TOO_SMALL = N_("{label} ({value} is less than {minimum})")
SETTING_TOO_LARGE = N_("{label} ({value} is more than {maximum})")
SETTING_NOT_A_CHOICE = N_("{label} ({value} is not one of its choices)")
SETTING_EMPTY = N_("{label} (empty)")
KIND_ON_OFF = N_("on or off")
KIND_WHOLE_NUMBER = N_("a whole number")
KIND_NUMBER = N_("a number")
# Translators: a kind of value a setting holds (a setting's value is not {kind}).
KIND_TEXT = N_("text")
KIND_TEXT_LIST = N_("a list of texts")
KIND_GROUP = N_("a group of settings")
# Translators: Settings kept in the settings file but not shown in the Settings dialog.
FIELD_REVISION = N_("Model revision")
FIELD_THREADS = N_("Processor threads")
FIELD_SERVER_LONGEST_EDGE = N_("Longest edge of images sent to the server, in pixels")
FIELD_SERVER_DETAIL_LONGEST_EDGE = N_("Longest edge of images sent for more detail, in pixels")
FIELD_SERVER_APPROVED_HOSTS = N_("Servers you agreed to send images to")

# --- saving settings and history (nothing lost) ------------------------------------------
# {what} is SAVE_WHAT_SETTINGS or SAVE_WHAT_HISTORY.
SAVE_READ_ONLY = N_("Iris cannot save {what}: {path} cannot be written ({reason}).")
SAVE_DISK_FULL = N_("Iris cannot save {what}: the disk holding {path} is full. Free some space.")
SAVE_FAILED = N_("Iris cannot save {what} to {path}: {reason}")
SAVE_WHAT_SETTINGS = N_("its settings")
SAVE_WHAT_HISTORY = N_("the conversation history")
SAVE_SETTINGS_USED_UNSAVED = N_(
    "{problem} The new settings are used until Iris closes; the saved ones are unchanged."
)
SAVE_HISTORY_KEPT = N_(
    "{problem} Earlier history is unchanged, and Iris saves it again after the next answer."
)
FIELD_KEEP_HISTORY = N_("Keep a history of conversations (text only)")
FIELD_KEEP_HISTORY_DESCRIPTION = N_(
    "Questions and answers are saved as text on this computer, never images. "
    "Turning this off deletes the saved history."
)
CLEAR_HISTORY_NAME = N_("Clear conversation history")
# Translators: a noun: the saved conversation history.
HISTORY_RESULT_NAME = N_("History")
HISTORY_CLEARED = N_("Conversation history cleared. Conversations deleted: {count}.")
HISTORY_TURNED_OFF = N_("Conversation history is off. Saved conversations deleted: {count}.")
HISTORY_TURNED_ON = N_("Conversation history is on: questions and answers are saved as text.")
HISTORY_CLEAR_FAILED = N_("Iris cannot delete the conversation history at {path}: {reason}")

# --- region selector ----------------------------------------------------------------------
REGION_NAME = N_("Choose a region")
REGION_HELP = N_(
    "Arrow keys move the rectangle by 10 pixels, with Control by 1 pixel. "
    "Shift with the arrow keys changes its size. "
    "Enter describes the region, Escape cancels. You can also drag with the mouse."
)
REGION_VALUE = N_("Region {width} by {height} at {x}, {y}")
# Translators: The region chooser's accessible description: {region} is REGION_VALUE, {help} is
# REGION_HELP.
REGION_DESCRIPTION = N_("{region}. {help}")

# --- tray ---------------------------------------------------------------------------------
# Translators: the tooltip of the icon in the system tray: the program's name.
TRAY_TOOLTIP = N_("Iris")

# --- start at login (XDG autostart, the Windows Run key, a macOS LaunchAgent) ---------------
AUTOSTART_COMMENT = N_("Describe the screen and read its text aloud")
AUTOSTART_PLACE_RUN_KEY = N_("the value {name} of the registry key {key}")
AUTOSTART_ON_FAILED = N_(
    "Iris cannot set itself to start when you log in: {place} cannot be written ({reason}). "
    "The setting stays on, and Iris tries again the next time you save its settings."
)
AUTOSTART_OFF_FAILED = N_(
    "Iris cannot stop starting when you log in: {place} cannot be removed ({reason}). "
    "The setting stays off, and Iris tries again the next time you save its settings."
)

# --- speech ------------------------------------------------------------------------------------
SPEECH_ENGINE_MISSING = N_("no speech engine is installed ({reason}); answers are shown only.")
SPEECH_ENGINE_FAILED = N_("the speech engine stopped working ({reason}); answers are shown only.")
SPEECH_NO_AUDIO_PLAYER = N_("no audio player (aplay or paplay) was found; answers are shown only.")
SPEECH_SCREEN_READER_MISSING = N_(
    "your screen reader cannot be reached ({reason}); Iris uses its own voice instead."
)
SPEECH_ENGINE_NOT_STARTED = N_(
    "the speech engine could not start ({reason}); answers are shown only."
)
SPEECH_NO_SOUND = N_("sound cannot be played ({reason}); answers are shown only.")
SPEECH_FILES_UNWRITABLE = N_("speech files cannot be written to {path} ({reason}).")

# --- faults survived: damaged weights, a model too big for memory --------------------------
MODEL_WEIGHTS_DAMAGED = N_(
    "The model {model} cannot be loaded: its weights file {file} is damaged or incomplete. "
    "Download or copy the model again, or choose another model."
)
MODEL_OUT_OF_MEMORY_TRY_SMALLER = N_(
    "The model {model} does not fit in this computer's memory. Choose a smaller model, "
    "such as {smaller}, which needs about {memory:g} GB."
)
MODEL_OUT_OF_MEMORY_NO_SMALLER = N_(
    "The model {model} does not fit in this computer's memory, and Iris knows no smaller "
    "model. Close other programs to free memory, then try again."
)

# --- privacy and supply chain: hashes of downloads, the debug switch -----------------------
MODEL_HASH_MISMATCH = N_(
    "The download of {model} is damaged or was changed on the way: {files} did not match the "
    "checksums the Hugging Face Hub lists, so Iris deleted them. Download the model again."
)

# --- working beside a screen reader: focus, closing, confirmations -------------------------
FIELD_BRING_TO_FRONT = N_("Bring Iris to the front after a hotkey")
FIELD_BRING_TO_FRONT_DESCRIPTION = N_(
    "Off: the focus stays in the program you work in, and the answer is spoken there."
)
# Translators: spoken when the model has loaded.
SPOKEN_READY = N_("Ready.")
"""Said once when the model has loaded (the status line names the model)."""
STATUS_ASK_ABOUT_SCREEN = N_(
    "Screen captured. Type your question and press Enter. Escape goes back to where you were."
)
CLOSE_TITLE = N_("Close Iris")
CLOSE_QUESTION = N_(
    "There is no system tray on this desktop. Keep Iris running in the background, so that its "
    "keys go on working? {show_hotkey} shows this window again."
)
CLOSE_KEEP_RUNNING = N_("Keep running")
CLOSE_QUIT = N_("Quit Iris")
STATUS_RUNNING_IN_BACKGROUND = N_(
    "Iris runs in the background. {show_hotkey} shows its window again; Control+Q in it quits."
)

# --- the macOS app bundle's permission explanations (packaging/iris_app.py: Info.plist) --------
# macOS shows these in its permission prompts and in System Settings, where VoiceOver reads them.
MACOS_COPYRIGHT = N_("Iris is free software under the Apache License 2.0.")
MACOS_SCREEN_CAPTURE_USAGE = N_(
    "Iris takes a picture of your screen or of one window only when you press one of its "
    "describe or read keys, so that it can tell you what is shown there. The picture stays on "
    "this Mac."
)
MACOS_ACCESSIBILITY_USAGE = N_(
    "Iris needs Accessibility access so that its keyboard shortcuts, such as Control-Option-"
    "Shift-D to describe the screen, work while you are in any other app."
)
MACOS_INPUT_MONITORING_USAGE = N_(
    "Iris watches for its own keyboard shortcuts, such as Control-Option-Shift-D, so that they "
    "work in any app. It does not record or keep what you type."
)

# -- speech routing --
SCREEN_READER_GENERIC = N_("your screen reader")
"""The name Iris uses for a screen reader it finds running but cannot name."""
SPEECH_ROUTE_SCREEN_READER = N_(
    "Iris speaks through {screen_reader}'s voice. To use Iris's own voice instead, open "
    "Settings, Speech."
)
SPEECH_ROUTE_OWN_VOICE_BESIDE = N_(
    "Iris speaks with its own voice while {screen_reader} runs, so you may hear two voices at "
    "once. To hear Iris in {screen_reader}'s voice instead, open Settings, Speech."
)
SPEECH_ROUTE_NO_HAND_OFF = N_(
    "Iris cannot speak through {screen_reader}, so it uses its own voice, and you may hear two "
    "voices at once."
)
SPEECH_ROUTE_HAND_OFF_FAILED = N_(
    "Iris cannot reach {screen_reader}'s voice ({reason}), so it speaks with its own voice."
)

# --- the focused item, the item under the pointer, the accessibility tree -----------------
STATUS_DESCRIBING_FOCUSED = N_("Describing the focused item.")
STATUS_DESCRIBING_POINTER = N_("Describing the item under the pointer.")
# Translators: Said after STATUS_DESCRIBING_* when the item is partly scrolled away or off the
# screen.
ITEM_CLIPPED = N_("Only part of it is visible; Iris describes that part.")
NO_FOCUSED_ITEM = N_(
    "No item has the keyboard focus, or its program does not tell Iris where it is. "
    "Try Describe window instead."
)
NO_ITEM_UNDER_POINTER = N_(
    "The program under the pointer does not tell Iris what is there. Try Describe region instead."
)
# Translators: {role} is a Role's words ("button"); {name} the item's name as the program gives it.
ITEM_NOT_ON_SCREEN_NAMED = N_(
    "The {role} {name} has no place on the screen, so there is nothing to capture."
)
ITEM_NOT_ON_SCREEN = N_("The {role} has no place on the screen, so there is nothing to capture.")
ACCESSIBILITY_UNAVAILABLE = N_(
    "Iris cannot ask the accessibility service which item you are on ({reason}). "
    "Try Describe window instead."
)
ACCESSIBILITY_UNSUPPORTED = N_("Finding the focused item is not supported on {platform}.")
# Translators: Answers to "Where is …?" found in the accessibility tree or the text reader's boxes.
# {what} is WHERE_ITEM or WHERE_TEXT; {position} is a POSITION_* row and column ("top left");
# {area} is WHERE_AREA_*.
WHERE_ITEM = N_("{name}, {role},")
WHERE_TEXT = N_("The text {text}")
WHERE_FOUND = N_("{what} is at the {position} of the {area}.")
# Translators: where an item is: at the top left of the window.
WHERE_AREA_WINDOW = N_("window")
WHERE_AREA_SCREEN = N_("screen")
WHERE_AREA_PICTURE = N_("picture")
# Translators: Positions in thirds, row then column: "top left", "middle centre", "bottom right".
POSITION = N_("{row} {column}")
# Translators: the rows of a place on the screen, top to bottom.
POSITION_ROWS = (N_("top"), N_("middle"), N_("bottom"))
# Translators: the columns of a place on the screen, left to right.
POSITION_COLUMNS = (N_("left"), N_("centre"), N_("right"))
# Translators: Move the pointer there.
POINTER_MOVED = N_("Pointer moved there.")
NOTHING_TO_POINT_AT = N_(
    "There is no place to move the pointer to yet. Ask where something is, or describe the "
    "focused item, first."
)
POINTER_MOVE_FAILED = N_("Cannot move the pointer: {reason}")

# Translators: The accessibility service on Windows (UI Automation through comtypes) and macOS (AX).
ACCESSIBILITY_NEEDS_PACKAGE = N_(
    "Iris cannot ask the accessibility service which item you are on: the Python package "
    "{package} is not installed."
)
ACCESSIBILITY_MACOS_PERMISSION = N_(
    "Iris cannot ask macOS which item you are on: Iris is not allowed to use accessibility. "
    "Open System Settings, Privacy and Security, Accessibility, turn Iris (or the terminal that "
    "runs it) on, then try again."
)

# Translators: The {reason} of ACCESSIBILITY_UNAVAILABLE on Linux (AT-SPI).
ATSPI_NO_SESSION_BUS = N_("there is no D-Bus session bus")
ATSPI_NO_BUS = N_("the accessibility bus is not running")
ATSPI_NO_REGISTRY = N_("the accessibility registry is not running")
ATSPI_NO_ANSWER = N_("the accessibility bus did not answer in time")
ATSPI_LOST = N_("the connection to the accessibility bus was lost")

# Translators: The model's own process (engine/process): it ended while Iris needed it. One sentence
# each.
MODEL_PROCESS_KILLED = N_(
    "The model's process was killed, perhaps because the computer ran short of memory; ask "
    "again to restart it, or choose a smaller model such as {smaller} in Settings."
)
MODEL_PROCESS_KILLED_SMALLEST = N_(
    "The model's process was killed, perhaps because the computer ran short of memory; close "
    "some programs and ask again to restart it."
)
# Translators: {cause}: MODEL_PROCESS_CAUSES' words for the signal, or MODEL_PROCESS_EXIT_CODE.
MODEL_PROCESS_CRASHED = N_("The model's process crashed ({cause}); ask again to restart it.")
MODEL_PROCESS_CAUSES = {
    "SIGSEGV": N_("a memory fault"),
    "SIGBUS": N_("a memory fault"),
    "SIGABRT": N_("it aborted"),
    "SIGILL": N_("an instruction this processor lacks"),
    "SIGFPE": N_("an arithmetic fault"),
    "SIGTERM": N_("it was told to end"),
}
MODEL_PROCESS_EXIT_CODE = N_("exit code {code}")
MODEL_PROCESS_GAVE_UP = NP_(
    "The model's process ended {count} time in a row while loading, so Iris stopped "
    "restarting it; choose another model in Settings, or restart Iris to try again.",
    "The model's process ended {count} times in a row while loading, so Iris stopped "
    "restarting it; choose another model in Settings, or restart Iris to try again.",
)
MODEL_PROCESS_NOT_STARTED = N_("The model's process could not be started: {reason}")
PROCESS_CANNOT_READ = N_("This process has no text reader.")
# Translators: Unloading the model (the Unload action, and after some minutes unused).
STATUS_UNLOADED = N_("Model unloaded; it loads again when you next ask.")
STATUS_UNLOADED_IDLE = NP_(
    "Model unloaded after {count} minute unused; it loads again when you next ask.",
    "Model unloaded after {count} minutes unused; it loads again when you next ask.",
)
STATUS_NOTHING_TO_UNLOAD = N_("The model is not loaded.")
STATUS_NOTHING_TO_UNLOAD_SERVER = N_("The model runs on a server: there is nothing to unload here.")
STATUS_RELOADING = N_("Loading the model…")
STATUS_LOADS_AT_FIRST_USE = N_("Ready. The model loads when you first ask.")
STATUS_RELOADED = N_("Model loaded in {seconds:.1f} seconds.")

# --- memory checked before a model loads (engine/models/memory.py) -------------------------
# {model} is the model's Hub id or folder; {need} and {free} are SIZE_GB ("about 1.5 GB"),
# {need} counting a little room for the system; {smaller} is a catalogue model's Hub id.
MEMORY_TOO_LITTLE_TRY_SMALLER = N_(
    "There is not enough free memory to load {model}: it needs {need} and {free} is free. "
    "Close some programs, or choose a smaller model such as {smaller} (Settings, Model)."
)
# Translators: A smaller model exists, but none fits either; {smallest_need} is SIZE_GB.
MEMORY_TOO_LITTLE_EVEN_SMALLEST = N_(
    "There is not enough free memory to load {model}: it needs {need} and {free} is free. "
    "Even the smallest model Iris knows, {smaller}, needs {smallest_need}. "
    "Close some programs, then try again."
)
# Translators: The model is already the smallest Iris knows that runs without a graphics card.
MEMORY_TOO_LITTLE_NO_SMALLER = N_(
    "There is not enough free memory to load {model}: it needs {need} and {free} is free, "
    "and Iris knows no smaller model. Close some programs, then try again."
)

# --- the "auto" model: which model this computer runs best (engine/models/choice.py) -------
# What a model is good at; fills {strength} below.
STRENGTH_FASTEST = N_("the fastest, with shorter descriptions")
STRENGTH_BETTER = N_("better descriptions, still quick")
STRENGTH_BEST_SMALL = N_("better descriptions and reading of small text")
# Translators: {model} is a model's short name; {seconds} the wait, estimated for this computer,
# from the capture of a screen to the first words of its description (one decimal); {words} a
# whole number of words a second it writes after them; {memory} the memory it needs in GB.
MODEL_CHOICE_REASON = N_(
    "{model}: {strength}. On this computer, its first words after about {seconds:.1f} "
    "seconds, then about {words} words a second; {memory:g} GB."
)
# Translators: No better model keeps up with speech or fits in the memory free; the smallest is
# chosen. The placeholders are MODEL_CHOICE_REASON's.
MODEL_CHOICE_ONLY_SMALLEST = N_(
    "{model}: {strength}. On this computer, its first words after about {seconds:.1f} "
    "seconds, then about {words} words a second; {memory:g} GB. "
    "No bigger model fits in the memory free or keeps up with speech here."
)
# Translators: A graphics card has room for a bigger model.
MODEL_CHOICE_GPU = N_("{model}: {strength}, on the graphics card, {memory:g} GB.")
# Translators: Settings, Model: {reason} is MODEL_CHOICE_REASON or one of its kind.
MODEL_RECOMMENDED = N_("Recommended for this computer: {reason}")
# Translators: The button that sets the model to auto (the recommended one, chosen again at each
# load).
USE_RECOMMENDED_MODEL = N_("Use the recommended model")
# Translators: a button in Settings, shown while the model is not downloaded; its name is
# also said in STATUS_READING_UNTIL_MODEL, STATUS_DETAIL_NEEDS_MODEL, FIRST_RUN_DECLINED and
# MODEL_OFFLINE_IN_WINDOW.
DOWNLOAD_MODEL = N_("Download the model")
# Translators: `iris models list`, after the table; {reason} is MODEL_CHOICE_REASON or one of its
# kind.
MODELS_RECOMMENDED_CLI = N_(
    "Recommended for this computer: {reason} Use --model auto to follow the recommendation."
)

# --- low vision: the window's colours and text size (gui/appearance.py) -------------------
# Translators: a field's label: the window's colour theme.
FIELD_THEME = N_("Colours")
THEME_SYSTEM = N_("Follow the system")
THEME_HIGH_CONTRAST_DARK = N_("High contrast: light text on black")
THEME_HIGH_CONTRAST_LIGHT = N_("High contrast: dark text on white")
FIELD_TEXT_SIZE = N_("Text size (percent)")
FIELD_TEXT_SIZE_DESCRIPTION = N_(
    "The size of the conversation, the answer and the question; "
    "Ctrl+plus, Ctrl+minus and Ctrl+0 change it in the window."
)
# Translators: Said after Larger text, Smaller text or Normal text size; {percent} is a whole
# number.
TEXT_SIZE_NOW = N_("Text size {percent} percent.")
# Translators: The labels shown above the window's panes.
CONVERSATION_LABEL = N_("Conversation")
ANSWER_LABEL = N_("Answer")
# Translators: a menu title; & marks the letter of its Alt shortcut.
MENU_VIEW = N_("&View")
# --- model families Iris cannot prompt, and generation failures (engine/local) -------------
# {model} is the model's Hub id or folder; {kind} its model_type (e.g. "paligemma").
MODEL_NO_CHAT_TEMPLATE = N_(
    "The model {model} ({kind}) has no chat template, so Iris cannot ask it questions the way "
    "it was trained to answer them. Choose a chat model instead, such as {default} "
    "(Settings, Model)."
)
# Translators: Turning the conversation into the model's inputs failed (its processor raised).
PROMPT_FAILED = N_(
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
# --- the interface's language (core/i18n.py) and the command line's help (cli/parser.py) ------
FIELD_INTERFACE_LANGUAGE = N_("Interface language")
# Translators: the first choice of Interface language: the language the computer is set to.
INTERFACE_LANGUAGE_SYSTEM = N_("System")
FIELD_INTERFACE_LANGUAGE_DESCRIPTION = N_("A new interface language is used when Iris restarts.")
# Translators: said when the user saved another interface language in Settings.
INTERFACE_LANGUAGE_AFTER_RESTART = N_(
    "The interface language changes when you restart Iris: quit Iris and open it again."
)
WINDOW_CANNOT_START = N_("The window cannot start: {error}")
# Translators: argparse's help of `iris`; --options, COMMAND names and {variables} stay as they are.
CLI_EPILOG = N_(
    "Without a command, Iris opens its window.\n"
    "\n"
    "global hotkeys (work while another program has focus; change them in Settings):\n"
    "{hotkeys}\n"
    "\n"
    "examples:\n"
    "{examples}\n"
    "\n"
    "The first real run downloads the model (about 0.5 GB for the default) into the standard\n"
    "Hugging Face cache; after that Iris works offline and nothing leaves your computer.\n"
    "With --server the model runs on that server instead: the images and questions go there\n"
    "(Iris asks once per server). Its API key comes from {variable} or the system\n"
    "keyring, never from the command line.\n"
    "exit codes: 0 done, 2 bad input (file, image, arguments), 3 model problem, 4 server problem."
)
# Translators: the help of each option of `iris` (lower case, no full stop, as argparse shows them).
CLI_HELP_DEBUG = N_("log details to stderr")
CLI_HELP_WINDOW_MODEL = N_("the window's model")
CLI_HELP_SPEAK_TO_FILES = N_(
    "write each spoken utterance as a WAV file in DIR instead of playing it"
)
CLI_HELP_DESCRIBE = N_("describe images, answer questions about them, read or classify them")
CLI_HELP_IMAGES = N_("image files")
CLI_HELP_ASK = N_(
    "a question; repeat for a conversation. Without --task the first question "
    "is asked about the images; with --task the questions follow its answer"
)
CLI_HELP_TASK = N_("what to do first (describe)")
CLI_HELP_LABELS = N_("comma-separated categories for --task classify")
CLI_HELP_INSTRUCTION = N_("a custom instruction instead of a task")
CLI_HELP_EXAMPLE = N_("a worked example for few-shot prompting; repeatable")
CLI_HELP_READ = N_("read the text of images (works offline, no model download needed)")
CLI_HELP_THREADS = N_("CPU threads")
CLI_HELP_BATCH = N_("write alt text for every image in a folder")
CLI_HELP_OUT = N_("where to write the table")
CLI_HELP_RECURSIVE = N_("include sub-folders")
CLI_HELP_MODELS = N_("list or download models")
CLI_HELP_MODELS_LIST = N_("the models Iris knows and which are downloaded, or a server's models")
CLI_HELP_MODELS_DOWNLOAD = N_("download a model from the Hub")
CLI_HELP_PROMPT = N_(
    "a saved prompt instead of a task (its name, any case; `iris prompts list`); "
    "for one that compares, give the earlier image first"
)
CLI_HELP_ANSWER = N_("the answer to the saved prompt's question")
CLI_HELP_PROMPTS = N_("list, export or import the saved prompts")
CLI_HELP_PROMPTS_LIST = N_("the saved prompts, their hotkeys and what they do")
CLI_HELP_PROMPTS_EXPORT = N_("write the saved prompts to a JSON file")
CLI_HELP_PROMPTS_IMPORT = N_("add the prompts of a JSON file (same names are replaced)")
CLI_HELP_REVISION_PIN = N_("a branch, tag or commit to pin")
# Translators: the title of a group of options of `iris describe`.
CLI_GROUP_MODEL = N_("model")
CLI_HELP_MODEL = N_("Hub id, local folder, or auto (the model recommended for this computer)")
CLI_HELP_QUANT = N_("precision")
CLI_HELP_LONGEST_EDGE = N_("scale images down to this")
CLI_HELP_SPLIT = N_("tile large images")
CLI_HELP_NO_SPLIT = N_("one tile only")
CLI_HELP_REVISION = N_("Hub revision (branch, tag or commit) to use")
CLI_HELP_NO_GROUND = N_("do not give the model the text found on the image")
# Translators: the title of a group of options of `iris describe`.
CLI_GROUP_SERVER = N_("model server")
CLI_GROUP_SERVER_HELP = N_(
    "use a model on an OpenAI-compatible server; its API key comes from {variable} "
    "or the system keyring"
)
CLI_HELP_SERVER = N_("the server, e.g. http://gpu-box:8000")
CLI_HELP_SERVER_MODEL = N_("the model's name on the server")
CLI_HELP_SERVER_CA = N_("certificate authority file of a private server")
CLI_HELP_SERVER_TIMEOUT = N_("give up when the server sends nothing for this long")
CLI_HELP_ALLOW_REMOTE = N_("agree that images go to a server that is not this computer")
CLI_NOT_WHOLE_NUMBER = N_("{text} is not a whole number")
CLI_AT_LEAST_ONE = N_("must be at least 1")
CLI_NOT_SECONDS = N_("{text} is not a number of seconds")
CLI_MORE_THAN_ZERO_SECONDS = N_("must be more than 0 seconds")
# Translators: the progress bar of `iris batch`, before the count of images described.
BATCH_PROGRESS = N_("Describing")
# Translators: kinds of items on the screen, as screen readers say them; they fill {role}
# ("The button Save has no place on the screen", "Save, button, is at the top left").
ROLE_WORDS = {
    "button": N_("button"),
    "toggle button": N_("toggle button"),
    "check box": N_("check box"),
    "radio button": N_("radio button"),
    "link": N_("link"),
    "image": N_("image"),
    "canvas": N_("canvas"),
    "terminal": N_("terminal"),
    "embedded object": N_("embedded object"),
    "text field": N_("text field"),
    "label": N_("label"),
    "heading": N_("heading"),
    "paragraph": N_("paragraph"),
    "document": N_("document"),
    "list": N_("list"),
    "list item": N_("list item"),
    "table": N_("table"),
    "cell": N_("cell"),
    "tree": N_("tree"),
    "tree item": N_("tree item"),
    "menu bar": N_("menu bar"),
    "menu": N_("menu"),
    "menu item": N_("menu item"),
    "tab list": N_("tab list"),
    "tab": N_("tab"),
    "combo box": N_("combo box"),
    "slider": N_("slider"),
    "spin button": N_("spin button"),
    "scroll bar": N_("scroll bar"),
    "progress bar": N_("progress bar"),
    "tool bar": N_("tool bar"),
    "status bar": N_("status bar"),
    "dialog": N_("dialog"),
    "window": N_("window"),
    "group": N_("group"),
    "separator": N_("separator"),
    "object": N_("object"),
}
"""`core.accessible.Role` values in the interface language (by the English word)."""
# Translators: the column headings of `iris models list` (capitals, as printed).
MODELS_TABLE_HEADER = (
    N_("MODEL"),
    N_("PARAMS"),
    N_("DOWNLOAD"),
    N_("MEMORY"),
    N_("LICENCE"),
    N_("LANGUAGES"),
    N_("STATUS"),
    N_("NOTE"),
)
