"""What candidate reranking costs per steered track: composing K=8 candidates instead of one.

    .venv/bin/python bench/rerank.py [--tracks 12] [--candidates 8] [--skip-render]

Composes `--tracks` tracks of 120 s (the presets in turn, fixed seeds) through
generation.rerank.compose_best, as a worker does, once with K=1 and once with K=candidates,
on ONE core; the spec scores with every feature of generation.features (a crowd that likes
small melodic steps and a consistent scale). The overhead is the extra composing time per
track: mean(K) - mean(K=1). For scale, it renders and encodes one of those tracks, which a
reranked track still does only once. The model is the one in COMPOSER_MODEL_DIR (else
data/models); without one, a model is trained from the default collections into a temporary
folder (--train-limit caps the tunes per collection). Ends with one JSON line whose key
steer_overhead_s_per_track is the figure issue 12 asks for (target <= 1 s).
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, this folder comes first on sys.path and would shadow the packages.
sys.path[0] = str(ROOT)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "albumvote.settings.dev")

from bench.generation import one_core  # noqa: E402
from generation import composer, rerank  # noqa: E402
from generation.features import NAMES  # noqa: E402

SECONDS = 120.0
# Each feature's effect on the crowd score, in standard deviations; the rest are 0.
LIKES = {"mean_abs_interval": -0.08, "scale_consistency": 0.05, "pitch_entropy": -0.02}
# Roughly where the corpus and the composed tracks sit (the spec a fitted model would give).
CENTRE = {"energy": 0.5, "scale_consistency": 0.95, "pitch_entropy": 2.9, "mean_abs_interval": 2.5}
SCALE = {"energy": 0.1, "scale_consistency": 0.04, "pitch_entropy": 0.25, "mean_abs_interval": 0.6}


def spec(candidates: int) -> dict[str, Any]:
    return {
        "candidates": candidates,
        "features": NAMES,
        "centre": [CENTRE.get(name, 0.0) for name in NAMES],
        "scale": [SCALE.get(name, 1.0) for name in NAMES],
        "weights": [LIKES.get(name, 0.0) for name in NAMES],
        "intercept": 0.5,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tracks", type=int, default=12)
    parser.add_argument("--candidates", type=int, default=rerank.CANDIDATES)
    parser.add_argument("--skip-render", action="store_true")
    parser.add_argument("--train-limit", type=int, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="albumvote-rerank-") as tmp:
        model = model_load(Path(tmp), args.train_limit)
        presets = sorted(composer.PRESETS)
        tracks = [
            {"preset": presets[i % len(presets)], "seed": 1000 + i, "target_seconds": SECONDS}
            for i in range(args.tracks)
        ]
        with one_core():
            rerank.compose_best(model, tracks[0])  # warm: tables paged in, code compiled
            _, alone_s = compose_all(model, tracks, 1)
            best, best_s = compose_all(model, tracks, args.candidates)
            render_s = None if args.skip_render else render_one(best[0], Path(tmp))

    k = args.candidates
    per_track_1, per_track_k = statistics.mean(alone_s), statistics.mean(best_s)
    overhead = per_track_k - per_track_1
    moved = [
        r.candidates["candidates"][r.candidates["chosen"]]["predicted"]
        - r.candidates["candidates"][0]["predicted"]
        for r in best
    ]
    passed = [c["passed"] for r in best for c in r.candidates["candidates"]]
    gate_overruled = sum(r.candidates["rank"] > 1 for r in best)
    print(f"{args.tracks} tracks of {SECONDS:.0f} s, presets in turn, on one core:")
    print(f"  K=1: {per_track_1:.3f} s per track (median {statistics.median(alone_s):.3f} s)")
    print(f"  K={k}: {per_track_k:.3f} s per track (median {statistics.median(best_s):.3f} s)")
    print(
        f"  overhead: {overhead:.3f} s per steered track ({overhead / (k - 1):.3f} s a candidate)"
    )
    if render_s is not None:
        print(f"  rendering and encoding one of them (done once either way): {render_s:.2f} s")
    print(
        f"  candidates passing the quality gate: {sum(passed)}/{len(passed)}; tracks where the"
        f" best-scoring candidate failed it: {gate_overruled}/{args.tracks}"
    )
    print(f"  predicted score gained over candidate 0: mean {statistics.mean(moved):+.3f}")
    print(
        json.dumps(
            {
                "steer_overhead_s_per_track": round(overhead, 3),
                "compose_k1_s": round(per_track_1, 3),
                f"compose_k{k}_s": round(per_track_k, 3),
                "render_one_s": None if render_s is None else round(render_s, 2),
                "candidates": k,
                "tracks": args.tracks,
                "gate_pass_share": round(sum(passed) / len(passed), 3),
                "predicted_gain": round(statistics.mean(moved), 4),
            }
        )
    )


def compose_all(
    model: composer.ComposerModel, tracks: list[dict[str, Any]], candidates: int
) -> tuple[list[rerank.Composed], list[float]]:
    """Each track composed as the best of `candidates`, with each one's wall-clock seconds
    (the MIDI bytes included: the service stores them)."""
    composed, seconds = [], []
    for raw in tracks:
        started = time.perf_counter()
        result = rerank.compose_best(model, {**raw, rerank.SPEC_KEY: spec(candidates)})
        result.piece.midi_bytes()
        seconds.append(time.perf_counter() - started)
        composed.append(result)
    return composed, seconds


def render_one(composed: rerank.Composed, work: Path) -> float:
    from generation import audio  # loads the synthesiser: only when rendering

    started = time.perf_counter()
    audio.render_midi(
        composed.piece.midi,
        opus_path=work / "a.opus",
        mp3_path=work / "a.mp3",
        soundfont=audio.soundfont_choose(),
    )
    audio.analyse_key(composed.piece.midi)
    return time.perf_counter() - started


def model_load(work: Path, limit: int | None) -> composer.ComposerModel:
    model_dir = Path(os.environ.get("COMPOSER_MODEL_DIR", ROOT / "data" / "models"))
    try:
        model = composer.load_model(model_dir)
        print(f"model: {model_dir}")
        return model
    except composer.ModelNotFoundError:
        pass
    cache_dir = Path(os.environ.get("COMPOSER_CACHE_DIR", ROOT / "data" / "cache"))
    started = time.perf_counter()
    composer.train(cache_dir=cache_dir, model_dir=work / "models", limit=limit)
    print(
        f"model: none in {model_dir}; trained one from the default collections"
        f"{f' ({limit} tunes each)' if limit else ''} in {time.perf_counter() - started:.0f} s"
    )
    return composer.load_model(work / "models")


if __name__ == "__main__":
    main()
