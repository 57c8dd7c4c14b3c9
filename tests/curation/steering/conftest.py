"""A crowd with a taste the preference model should find (shared by the steering tests)."""

import random

import pytest

from curation.models import TrackStats
from generation import dispatch
from generation.composer import PRESETS
from generation.music import model_get
from tests.factories import ReadyTrackFactory
from tests.tuning import composed_track

LOVED, LIKED, MEH = [5] * 12, [4, 5, 4, 5, 5, 4] * 2, [2, 3, 2, 3]


def composed(preset: str, tempo: float, rng: random.Random):
    return ReadyTrackFactory.create(
        preset=preset,
        resolved_params={
            "mode": rng.choice(["major", "minor"]),
            "tempo_bpm": tempo,
            "temperature": rng.uniform(0.8, 1.2),
            "target_seconds": rng.uniform(60, 150),
        },
        energy=rng.uniform(0.3, 0.8),
        metrics={
            "scale_consistency": rng.uniform(0.8, 1.0),
            "pitch_entropy": rng.uniform(2.5, 3.2),
            "mean_abs_interval": rng.uniform(1.5, 3.5),
        },
    )


def in_range(preset: str, rng: random.Random) -> float:
    """A tempo the composer could give the preset (the model reads tempo within each)."""
    return rng.uniform(*PRESETS[preset].tempo_range)


def crowd_gives(track, stars: list[int]) -> None:
    """The track's counted figures: these ratings (as the vote function keeps them)."""
    counts = [stars.count(k) for k in range(1, 6)]
    TrackStats.objects.update_or_create(
        track=track,
        defaults={
            "rating_count": len(stars),
            "rating_sum": sum(stars),
            **{f"stars_{k}": n for k, n in zip(range(1, 6), counts, strict=True)},
        },
    )


def waltz_crowd() -> list:
    """Sixty tracks: the crowd loves waltzes and is lukewarm about reels, whatever the tempo."""
    rng = random.Random(4)
    tracks = []
    for n in range(60):
        preset = "waltz" if n % 2 else "celtic_reel"
        track = composed(preset, in_range(preset, rng), rng)
        centre = 4.5 if preset == "waltz" else 2.5
        crowd_gives(track, [max(1, min(5, round(rng.gauss(centre, 0.6)))) for _ in range(12)])
        tracks.append(track)
    return tracks


@pytest.fixture
def waltzes_win():
    return waltz_crowd()


@pytest.fixture
def queued(monkeypatch):
    """Dispatched track ids, instead of Celery tasks."""
    sent: list[int] = []
    monkeypatch.setattr(dispatch, "generate_tracks", lambda ids: sent.extend(ids))
    return sent


def rated_tracks(count: int, seed: int = 7) -> list:
    """`count` composed tracks the crowd rated: fewer than a fit needs, for the empty state."""
    rng = random.Random(seed)
    tracks = []
    for _ in range(count):
        track = composed("waltz", in_range("waltz", rng), rng)
        crowd_gives(track, [4, 5, 3])
        tracks.append(track)
    return tracks


@pytest.fixture
def smooth_melodies_win():
    """Sixty tracks: the crowd likes melodies that move by small steps (a low mean absolute
    interval), whatever the preset."""
    rng = random.Random(8)
    tracks = []
    for n in range(60):
        preset = "waltz" if n % 2 else "celtic_reel"
        track = composed(preset, in_range(preset, rng), rng)
        centre = 6.5 - 1.5 * track.metrics["mean_abs_interval"]  # 4.2 at 1.5, 1.2 at 3.5
        crowd_gives(track, [max(1, min(5, round(rng.gauss(centre, 0.5)))) for _ in range(12)])
        tracks.append(track)
    return tracks


@pytest.fixture
def rated(own_model_dir):
    """Three published tracks of the current version: one loved, one liked, one not."""
    model = model_get()
    tracks = [composed_track(model, preset="waltz", seed=seed) for seed in (21, 22, 23)]
    for track, stars in zip(tracks, (LOVED, LIKED, MEH), strict=True):
        crowd_gives(track, stars)
    return tracks
