"""``python -m cxloop``: the same command line as the ``cxloop`` script."""

from cxloop.cli.main import app

if __name__ == "__main__":
    app()
