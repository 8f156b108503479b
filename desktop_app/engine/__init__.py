"""The engine: models, prompts and images turned into streamed answers (no Qt)."""
