"""One sub-app per command group."""
