"""`python -m apps.course_access`: see cli.py."""
import sys

from apps.course_access.cli import main

sys.exit(main())
