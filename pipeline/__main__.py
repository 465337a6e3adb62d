"""`python -m pipeline` is the same as the `spiegel` command."""

from cli.main import main

raise SystemExit(main())
