"""`python -m pipeline` is the same as the `spiegel` command."""

from pipeline.cli import main

raise SystemExit(main())
