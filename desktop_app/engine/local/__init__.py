"""Local inference: loading a model with transformers, its precision, and streaming answers."""
