"""Composing the tracks of bench/steering.py in this process, without rendering audio.

Each track goes through generation.services.track_generate as a worker runs it: the claim,
the composer, the melody metrics and the quality gate (a rejected track is never published),
the saved MIDI. Only the render is left out (rendering 20-track batches round after round
takes most of an hour on two cores). In its place the track is published with the figures
the render would give that the crowd and the preference model read:

- duration: the MIDI's end plus the synth's release tail, as the render's files last;
- energy: generation.audio.analysis.energy from the track's own MIDI (its note density,
  exact) and the synth's loudness before mastering measured once per preset by really
  rendering two tracks of it (within a preset it varies by about 1 LUFS, 0.015 of energy);
- tempo: read from the MIDI as the render does. No audio files, peaks or loudness.
"""

from __future__ import annotations

import contextlib
import statistics
from collections.abc import Iterator

from django.conf import settings
from django.db import transaction

from bench.steering_tastes import Composed
from generation import composer, services
from generation.audio import analysis, synth
from generation.audio.mastering import master
from generation.audio.soundfont import soundfont_choose
from generation.models import GenerationBatch, Track
from generation.music import model_get


def loudness_by_preset() -> dict[str, float]:
    """The synth's loudness before mastering (LUFS), per preset, from two real renders."""
    model = model_get()
    soundfont = soundfont_choose(settings.SOUNDFONT_PATH)
    found = {}
    for name in sorted(composer.PRESETS):
        values = []
        for seed in (0, 1):
            piece = composer.compose(
                model, composer.params_from_dict({"preset": name, "seed": seed})
            )
            pcm = synth.synthesize(piece.midi, sample_rate=synth.SAMPLE_RATE, soundfont=soundfont)
            values.append(master(pcm, sample_rate=synth.SAMPLE_RATE).source_loudness_lufs)
        found[name] = statistics.fmean(values)
    return found


def duration_and_energy(piece: composer.Piece, loudness: dict[str, float]) -> tuple[float, float]:
    duration = float(piece.midi.get_end_time()) + synth.TAIL_S
    energy = analysis.energy(
        source_loudness_lufs=loudness[piece.params["preset"]], midi=piece.midi, duration_s=duration
    )
    return duration, energy


@contextlib.contextmanager
def without_rendering(loudness: dict[str, float]) -> Iterator[None]:
    """track_generate publishes each composed track with the render's figures worked out
    from its MIDI (the module's docstring says which) instead of rendering it."""
    real = services._track_render

    def publish(track_id: int, attempt: int, piece: composer.Piece) -> None:
        duration, energy = duration_and_energy(piece, loudness)
        with transaction.atomic():
            # As the render's last step does: only the run that still owns the track.
            locked = services._locked_if_current(track_id, attempt)
            if locked is None:
                return
            locked.duration_s = round(duration, 3)
            locked.energy = energy
            locked.tempo_bpm = round(analysis.midi_tempo(piece.midi), 2)
            services._finish(locked, Track.Status.READY)

    services._track_render = publish
    try:
        yield
    finally:
        services._track_render = real


def compose_batch(batch: GenerationBatch) -> list[Track]:
    """Compose every track of the batch (as the workers would); its published tracks."""
    for track_id in batch.tracks.order_by("position").values_list("pk", flat=True):
        services.track_generate(track_id=track_id)
    return list(batch.tracks.filter(status=Track.Status.READY).order_by("position"))


def composed(track: Track) -> Composed:
    return Composed.of(track.preset, track.resolved_params, track.energy or 0.0, track.metrics)


def compose_for_oracle(loudness: dict[str, float], version: str | None = None):
    """What the composer (the current version, or the one named) makes of these parameters
    and seed (None if the gate rejects it), for tastes.best_expected and the tuned version's
    pairs: the composer alone, nothing stored."""
    model = model_get(version)

    def compose(params: dict, seed: int) -> Composed | None:
        piece = composer.compose(model, composer.params_from_dict({**params, "seed": seed}))
        metrics = composer.quality_metrics(piece, model)
        if composer.quality_gate(metrics, model):
            return None
        _, energy = duration_and_energy(piece, loudness)
        return Composed.of(piece.params["preset"], piece.params, energy, metrics)

    return compose
