import sys

from telemetry.naming.cli import main

sys.exit(main())
