"""The composer's exceptions: one base type so callers can catch everything it raises."""


class ComposerError(Exception):
    """Base class of every error the composer raises."""


class ComposerParamError(ComposerError, ValueError):
    """A compose parameter is missing, of the wrong type or out of range.

    field names the offending parameter; the message says what is wrong and what is allowed.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class ModelNotFoundError(ComposerError):
    """No trained composer model in the model folder."""
