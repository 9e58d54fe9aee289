"""python -m apps.api_keys create --name NAME --scope users:read [--service sales|access|all] | revoke ID | list"""
import sys

from apps.api_keys.cli import main

sys.exit(main())
