"""The music composer: a corpus-trained variable-order Markov model that writes arranged MIDI.

Import this package from services and tasks; it does not import music21 (only training,
through train(), loads it) so a worker stays small and starts fast.
"""

from .compose import compose, random_in_scale_baseline
from .corpus import COLLECTIONS, DEFAULT_COLLECTIONS
from .errors import ComposerError, ComposerParamError, ModelNotFoundError
from .model import ComposerModel, load_model
from .params import ComposeParams, params_from_dict
from .piece import Piece
from .presets import PRESETS, Preset
from .quality import quality_gate, quality_metrics
from .train import TrainResult, train

__all__ = [
    "COLLECTIONS",
    "DEFAULT_COLLECTIONS",
    "PRESETS",
    "ComposeParams",
    "ComposerError",
    "ComposerModel",
    "ComposerParamError",
    "ModelNotFoundError",
    "Piece",
    "Preset",
    "TrainResult",
    "compose",
    "load_model",
    "params_from_dict",
    "quality_gate",
    "quality_metrics",
    "random_in_scale_baseline",
    "train",
]
