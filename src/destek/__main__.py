"""`python -m destek` runs the CLI."""

from destek.cli import main

main()
