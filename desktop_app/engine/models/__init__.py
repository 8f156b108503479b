"""Getting models: the catalogue, Hub downloads, pinned revisions, integrity, bundled models."""
