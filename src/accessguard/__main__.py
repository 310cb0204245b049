"""Allow ``python -m accessguard``."""

from accessguard.cli.main import main

main()
