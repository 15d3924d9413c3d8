#!/usr/bin/env python
"""Another name for `python -m qyzmet` (qyzmet/cli.py): the same commands, the platform's and
Django's, for the tools that expect a `manage.py`. It defines no commands of its own."""

import sys

if __name__ == "__main__":
    from qyzmet.cli import main

    sys.exit(main(sys.argv[1:], prog="manage.py"))
