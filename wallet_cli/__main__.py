"""Run the ``agora`` command with ``python -m wallet_cli``."""

from wallet_cli.app import main

main()
