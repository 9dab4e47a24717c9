"""``python -m kneetrack``: the same as the ``kneetrack`` command."""

import sys

from kneetrack.cli.main import main

sys.exit(main())
