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
