"""Training: parse the collections (cached), count the model's tables, write the artifact."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .corpus import DEFAULT_COLLECTIONS, PARSER_VERSION, parse_collections
from .errors import ComposerError
from .features import (
    CHORD_START,
    GROUPS,
    PITCH_START,
    PITCH_VOCAB,
    STYLES,
    TuneFeatures,
    bar_grid,
    extract,
    group_of,
    mode_family,
)
from .model import HARMONY_LAYOUT, PITCH_LAYOUT, RHYTHM_LAYOUT, ComposerModel, save_model
from .ngram import Table, count_table
from .quality import Sample, corpus_reference
from .records import Tune
from .theory import METERS, MODES, N_CHORDS, QUALITIES, TEMPO_BANDS

TRAINER_VERSION = "1"
Pattern = tuple[tuple[int, int, int], ...]
METER_NAMES = tuple(METERS)
MIN_PATTERN_COUNT = 2  # a bar rhythm seen once is more likely a typo than a figure
MAX_PATTERNS = 8000
# Contexts seen fewer times than this are dropped per level (most specific first): rare
# long contexts add size and noise; the broader levels still cover them.
PITCH_MIN_COUNT = (2, 2, 2, 1, 1, 1)
RHYTHM_MIN_COUNT = (2, 2, 1, 1, 1, 1)
HARMONY_MIN_COUNT = (2, 1, 1, 1, 1, 1)


@dataclass
class TrainResult:
    version: str
    path: Path
    seconds: float
    pieces: int
    tokens: int
    parsed_from_cache: int
    parsed_fresh: int


def train(
    collections: Sequence[str] | None = None,
    *,
    cache_dir: Path,
    model_dir: Path,
    limit: int | None = None,
    workers: int = 2,
    progress: Callable[[str], None] | None = None,
    force: bool = False,
    tuned: Sequence[tuple[Tune, int]] = (),
    make_current: bool = True,
) -> TrainResult:
    """Parse the collections (reusing the parse cache unless force) and write a new model.

    With `tuned` (crowd-approved generated tracks and their weights) and make_current=False,
    this writes a candidate version: the artifact is saved, "current" is left alone.
    """
    started = time.monotonic()
    names = list(collections) if collections else list(DEFAULT_COLLECTIONS)
    parsed = parse_collections(
        names,
        cache_dir=Path(cache_dir),
        limit=limit,
        workers=workers,
        force=force,
        progress=progress,
    )
    if progress:
        progress(f"training on {len(parsed.tunes)} pieces and {len(tuned)} tuned tracks")
    model = train_from_tunes(parsed.tunes, tuned)
    model.info.update({"collections": names, "limit": limit, "inputs": parsed.input_digest})
    path = save_model(model, Path(model_dir), make_current=make_current)
    return TrainResult(
        version=model.version,
        path=path,
        seconds=time.monotonic() - started,
        pieces=int(model.info["pieces"]),
        tokens=int(model.info["tokens"]),
        parsed_from_cache=parsed.from_cache,
        parsed_fresh=parsed.fresh,
    )


def train_tuned(
    base: ComposerModel,
    tuned: Sequence[tuple[Tune, int]],
    *,
    cache_dir: Path,
    model_dir: Path,
    workers: int = 1,
) -> TrainResult:
    """A candidate version: the corpus the base version was trained on (same collections and
    limit, so the public-domain corpus stays in), with the tuned tracks added by weight."""
    return train(
        base.info.get("collections") or None,
        cache_dir=cache_dir,
        model_dir=model_dir,
        limit=base.info.get("limit"),
        workers=workers,
        tuned=tuned,
        make_current=False,
    )


def _history(seq: list[int], start: int, depth: int) -> list[list[int]]:
    """Previous symbols h1..h_depth for each position, padded with the start symbol."""
    padded = [start] * depth + seq
    return [[padded[depth + i - k] for i in range(len(seq))] for k in range(1, depth + 1)]


def train_from_tunes(
    tunes: Sequence[Tune], tuned: Sequence[tuple[Tune, int]] = ()
) -> ComposerModel:
    """Count every table from parsed tunes; the returned model has no version until saved.

    Reward-weighted training: each tuned tune (a generated track the crowd approved) is
    counted `weight` times beside the corpus, a whole number so every table keeps integer
    counts and the Witten-Bell blend stays exact. The quality gate's reference and the
    melody's octave statistics stay the corpus's own: the crowd steers what is composed,
    not the yardstick it is measured by.
    """
    corpus = [extract(t) for t in tunes]
    features = list(corpus)
    for tune, weight in tuned:
        if isinstance(weight, bool) or not isinstance(weight, int) or weight < 1:
            raise ComposerError(
                f"a tuned track's weight must be a whole number >= 1, not {weight!r}"
            )
        features.extend([extract(tune)] * weight)
    pitch_table, pitch_tokens = _pitch_table(features)
    rhythm_table, patterns, pattern_meters, rhythm_tokens = _rhythm_table(features)
    harmony_table, chord_tokens = _harmony_table(features)
    emission = _emission(features)
    reference = corpus_reference([_quality_sample(t) for t in tunes])
    reference["offsets"] = _offset_distributions(corpus)
    info = {
        "trainer_version": TRAINER_VERSION,
        "parser_version": PARSER_VERSION,
        "pieces": len(tunes),
        "tokens": pitch_tokens + rhythm_tokens + chord_tokens,
        "pitch_tokens": pitch_tokens,
        "rhythm_tokens": rhythm_tokens,
        "chord_tokens": chord_tokens,
        "contexts": {
            "pitch": pitch_table.contexts,
            "rhythm": rhythm_table.contexts,
            "harmony": harmony_table.contexts,
        },
        "by_collection": dict(sorted(Counter(t.collection for t in tunes).items())),
        "by_style": dict(sorted(Counter(t.style or "unknown" for t in tunes).items())),
        "tuned": {"pieces": len(tuned), "weight": sum(w for _, w in tuned)},
    }
    return ComposerModel(
        version="",
        pitch=pitch_table,
        rhythm=rhythm_table,
        harmony=harmony_table,
        patterns=patterns,
        pattern_meters=pattern_meters,
        emission=emission,
        reference=reference,
        info=info,
    )


def _pitch_table(features: list[TuneFeatures]) -> tuple[Table, int]:
    cols: dict[str, list[int]] = {name: [] for name in PITCH_LAYOUT.fields}
    symbols: list[int] = []
    for f in features:
        seq = f.pitches
        if len(seq) < 2:
            continue
        hist = _history(seq, PITCH_START, 4)
        symbols.extend(seq)
        cols["group"].extend([GROUPS.index(f.group)] * len(seq))
        cols["mode"].extend([MODES.index(f.mode)] * len(seq))
        for k in range(4):
            cols[f"h{k + 1}"].extend(hist[k])
    values = {name: np.asarray(v, dtype=np.int64) for name, v in cols.items()}
    table = count_table(
        PITCH_LAYOUT, PITCH_VOCAB, values, np.asarray(symbols, dtype=np.int64), PITCH_MIN_COUNT
    )
    return table, len(symbols)


def _rhythm_table(
    features: list[TuneFeatures],
) -> tuple[Table, list[Pattern], list[str], int]:
    counts: Counter[tuple[str, Pattern]] = Counter()
    for f in features:
        for run in f.patterns:
            for pattern in run:
                if pattern is not None and f.meter is not None:
                    counts[(f.meter, pattern)] += 1
    kept = [k for k, c in counts.most_common(MAX_PATTERNS) if c >= MIN_PATTERN_COUNT]
    kept.sort()  # ids must not depend on Counter tie order
    ids = {key: i + 1 for i, key in enumerate(kept)}  # 0 is the start symbol
    patterns: list[Pattern] = [(), *(k[1] for k in kept)]
    pattern_meters = [""] + [k[0] for k in kept]

    cols: dict[str, list[int]] = {name: [] for name in RHYTHM_LAYOUT.fields}
    symbols: list[int] = []
    for f in features:
        if f.meter is None:
            continue
        for run, phrase in zip(f.patterns, f.pattern_phrase, strict=True):
            p1 = p2 = 0
            for pattern, pos in zip(run, phrase, strict=True):
                sym = ids.get((f.meter, pattern)) if pattern is not None else None
                if sym is None:
                    p1 = p2 = 0  # a rare bar breaks the chain
                    continue
                symbols.append(sym)
                cols["meter"].append(METER_NAMES.index(f.meter))
                cols["style"].append(STYLES.index(f.style))
                cols["band"].append(TEMPO_BANDS.index(f.band))
                cols["phrase"].append(pos)
                cols["p1"].append(p1)
                cols["p2"].append(p2)
                p1, p2 = sym, p1
    values = {name: np.asarray(v, dtype=np.int64) for name, v in cols.items()}
    table = count_table(
        RHYTHM_LAYOUT,
        len(patterns),
        values,
        np.asarray(symbols, dtype=np.int64),
        RHYTHM_MIN_COUNT,
    )
    return table, patterns, pattern_meters, len(symbols)


def _harmony_table(features: list[TuneFeatures]) -> tuple[Table, int]:
    cols: dict[str, list[int]] = {name: [] for name in HARMONY_LAYOUT.fields}
    symbols: list[int] = []
    for f in features:
        for run, positions in zip(f.chords, f.chord_pos, strict=True):
            hist = _history(run, CHORD_START, 2)
            symbols.extend(run)
            cols["group"].extend([GROUPS.index(f.group)] * len(run))
            cols["mode"].extend([MODES.index(f.mode)] * len(run))
            cols["pos"].extend(positions)
            cols["c1"].extend(hist[0])
            cols["c2"].extend(hist[1])
    values = {name: np.asarray(v, dtype=np.int64) for name, v in cols.items()}
    table = count_table(
        HARMONY_LAYOUT, N_CHORDS, values, np.asarray(symbols, dtype=np.int64), HARMONY_MIN_COUNT
    )
    return table, len(symbols)


def _offset_distributions(features: list[TuneFeatures]) -> dict[str, list[float]]:
    """How often each melody offset from the tonic occurs, per group and mode.

    compose() uses it to put the tonic in the octave where the model's notes fit the
    melody instrument's range best.
    """
    counts: dict[str, np.ndarray] = {}
    for f in features:
        for key in (f.mode, f"{f.group}:{f.mode}"):
            total = counts.setdefault(key, np.zeros(PITCH_VOCAB))
            total += np.bincount(f.pitches, minlength=PITCH_VOCAB)[:PITCH_VOCAB]
    return {
        key: [round(float(x), 6) for x in total / max(1.0, total.sum())]
        for key, total in sorted(counts.items())
    }


def _emission(features: list[TuneFeatures]) -> np.ndarray:
    """P(melody interval above the chord root | chord quality), add-one smoothed."""
    counts = np.ones((len(QUALITIES), 12))
    for f in features:
        for quality, interval in f.emissions:
            counts[QUALITIES.index(quality), interval] += 1
    return counts / counts.sum(axis=1, keepdims=True)


def _quality_sample(tune: Tune) -> Sample:
    meter = tune.meter if tune.meter in METERS else "4/4"
    bar_len = METERS[meter][0]
    origin = 0
    if tune.meter in METERS and tune.notes:
        full = [b for b in bar_grid(tune, bar_len) if b.full]
        origin = full[0].start if full else 0
    return tune.notes, tune.tonic, group_of(tune.style), mode_family(tune.mode), bar_len, origin
