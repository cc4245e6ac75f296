"""The ``cxloop`` command line."""
