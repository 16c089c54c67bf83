"""The karavan version (read by the build backend and by ``karavan.__version__``)."""

__version__ = "0.1.0"
