"""``python -m camulenet``: see :mod:`camulenet.grid.cli`."""

import sys

from camulenet.grid.cli import main

sys.exit(main())
