"""`python -m desktop_app` runs the `iris` command."""

from desktop_app.cli.main import main

raise SystemExit(main())
