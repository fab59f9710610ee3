"""`python -m mfadesk` is the `mfadesk` command."""

from mfadesk.cli.main import main

main()
