"""`python -m bench`, with tools/ on the path (`make bench`)."""
import sys

from .cli import main

sys.exit(main())
