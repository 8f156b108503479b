"""`python -m desktop_app.engine.process`: the model process (see child.py)."""

from desktop_app.engine.process.child import main

raise SystemExit(main())
