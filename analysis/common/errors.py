"""The one exception type the package raises for unreadable input."""


class CorpusError(Exception):
    """A speech file or folder that cannot be loaded; the message names the file and the reason."""
