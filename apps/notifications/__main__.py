"""`python -m apps.notifications`: see cli.py."""
import sys

from apps.notifications.cli import main

sys.exit(main())
