import sys

from apps.consumers.runner import main

sys.exit(main())
