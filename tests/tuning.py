"""Published tracks as the composer wrote them (MIDI and provenance, no audio), for the
tests of the crowd-tuned composer on both sides (generation and curation)."""

from django.core.files.base import ContentFile

from generation.composer import ComposerModel, compose, params_from_dict
from generation.models import GenerationBatch, Track
from tests.factories import ReadyTrackFactory


def composed_track(model: ComposerModel, *, preset: str = "celtic_reel", seed: int = 1, **kw):
    """A ready track composed by this model version: its params, resolved params and MIDI
    are what track_generate stores (audio left out)."""
    params = {"preset": preset, "seed": seed}
    piece = compose(model, params_from_dict(params))
    track: Track = ReadyTrackFactory.create(
        preset=preset,
        seed=seed,
        params=params,
        resolved_params=piece.params,
        model_version=model.version,
        title=piece.title,
        **kw,
    )
    track.midi.save("track.mid", ContentFile(piece.midi_bytes()))
    return track


def duel_tracks_ready(batch: GenerationBatch, model_for) -> list[Track]:
    """Stand in for the workers: compose every track of a duel batch with the version it
    asked for (model_for(version) gives the model) and publish it."""
    tracks = list(batch.tracks.order_by("position"))
    for track in tracks:
        model = model_for(track.composer_version)
        piece = compose(model, params_from_dict(track.params))
        track.status = Track.Status.READY
        track.model_version = piece.model_version
        track.resolved_params = piece.params
        track.title = piece.title
        track.duration_s = 90.0
        track.midi.save("track.mid", ContentFile(piece.midi_bytes()), save=False)
        track.save()
    return tracks
