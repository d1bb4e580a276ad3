"""casebook: `python build.py [build|check|serve]`. The engine lives in casebook/."""

import sys

from casebook.cli import main

if __name__ == "__main__":
    sys.exit(main())
