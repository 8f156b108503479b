"""Test helpers: tiny random-weight vision-language models built offline.

See `desktop_app.testing.random_models`.
"""
