import sys

from ctstui.cli.main import main

sys.exit(main())
