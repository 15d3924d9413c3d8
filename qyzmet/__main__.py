"""`python -m qyzmet ...`: the command line of the platform (see `qyzmet/cli.py`)."""

import sys

from qyzmet.cli import main

sys.exit(main())
