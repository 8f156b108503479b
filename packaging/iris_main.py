"""The one-folder app's entry point: the `iris` command (desktop_app.cli.main:main).

With no arguments it opens the window; with a command (`iris read IMAGE`, `iris describe ...`)
it runs on the command line, as the `iris` a wheel installs does.
"""

import multiprocessing
import sys

from desktop_app.cli.main import main
from desktop_app.engine.process.child import main as model_process
from desktop_app.engine.process.proxy import MODEL_PROCESS_FLAG

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a frozen program that may start child processes
    if sys.argv[1:2] == [MODEL_PROCESS_FLAG]:  # the model's own process (engine/process)
        sys.exit(model_process())
    sys.exit(main())
