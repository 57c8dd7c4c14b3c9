"""The one error type the audio pipeline raises, so callers can catch a single thing."""


class AudioError(Exception):
    """Rendering, encoding, decoding or analysis could not produce a usable result."""
