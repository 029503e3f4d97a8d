import sys

from telemetry.events_cli.main import main

sys.exit(main())
