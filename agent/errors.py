"""The one base class of every error nmrx raises on purpose."""


class NmrxError(Exception):
    """An expected failure with a message that tells the user what to do next."""
