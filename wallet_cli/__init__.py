"""The ``agora`` terminal command, a thin layer over :mod:`ssi`."""
