"""`python -m ganvis` runs the command line (and, with no arguments, the app)."""

import sys

from ganvis.cli import main

sys.exit(main())
