"""Iris: describes screens and images with a vision-language model on your own computer."""

__version__ = "0.1.0"
