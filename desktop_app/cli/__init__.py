"""The `iris` command line (the app entry; the window joins it in a later layer)."""
