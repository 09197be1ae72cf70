"""``python -m camulenet``: see :mod:`camulenet.cli`."""

import sys

from camulenet.cli import main

sys.exit(main())
