"""The one-folder app's entry point: the `iris` command (desktop_app.cli.main:main).

With no arguments it opens the window; with a command (`iris read IMAGE`, `iris describe ...`)
it runs on the command line, as the `iris` a wheel installs does.
"""

import multiprocessing
import sys

from desktop_app.cli.main import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a frozen program that may start child processes
    sys.exit(main())
