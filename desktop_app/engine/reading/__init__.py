"""The text reader: PP-OCRv4 (ONNX) detection and recognition, reading order, backends."""
