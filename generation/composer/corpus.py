"""The public-domain collections in music21's corpus and a cached, parallel way to parse them."""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import multiprocessing
import os
import re
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import ComposerError
from .records import Tune

# Bump when abc_parse or chorale_parse would read a file differently: old cache entries
# then simply stop matching and are parsed afresh.
PARSER_VERSION = "3"


@dataclass(frozen=True)
class Collection:
    name: str
    folder: str
    kind: str  # "abc" or "musicxml"
    note: str


COLLECTIONS: dict[str, Collection] = {
    c.name: c
    for c in (
        Collection("bach", "bach", "musicxml", "Bach four-part chorales"),
        Collection("oneills1850", "oneills1850", "abc", "O'Neill's Music of Ireland (1903)"),
        Collection("ryansMammoth", "ryansMammoth", "abc", "Ryan's Mammoth Collection (1883)"),
        Collection("airdsAirs", "airdsAirs", "abc", "Aird's Selection of Airs (1782-1801)"),
        Collection("nottingham", "nottingham-dataset", "abc", "Nottingham Music Database"),
        Collection("miscFolk", "miscFolk", "abc", "American fife and Northumbrian tunes"),
        Collection(
            "essen", "essenFolksong", "abc", "Essen folksongs: non-commercial licence, opt-in"
        ),
    )
}
# Same list as the COMPOSER_DEFAULT_COLLECTIONS setting; kept here so the package works
# without Django. Essen is left out on purpose: its licence is non-commercial.
DEFAULT_COLLECTIONS: tuple[str, ...] = (
    "bach",
    "oneills1850",
    "ryansMammoth",
    "airdsAirs",
    "nottingham",
    "miscFolk",
)
ProgressFn = Callable[[str], None]


def check_collections(names: Sequence[str]) -> list[str]:
    unknown = [n for n in names if n not in COLLECTIONS]
    if unknown:
        raise ComposerError(
            f"unknown collection(s): {', '.join(unknown)}; "
            f"valid collections are: {', '.join(COLLECTIONS)}"
        )
    return list(dict.fromkeys(names))


def corpus_root() -> Path:
    """music21's bundled corpus folder, found without importing music21 (it is slow)."""
    spec = importlib.util.find_spec("music21")
    if spec is None or not spec.submodule_search_locations:
        raise ComposerError("music21 is not installed; it is needed to train the composer")
    return Path(next(iter(spec.submodule_search_locations))) / "corpus"


def collection_files(name: str) -> list[Path]:
    collection = COLLECTIONS[name]
    folder = corpus_root() / collection.folder
    if collection.kind == "musicxml":
        files = [*folder.glob("*.mxl"), *folder.glob("*.xml")]
    else:
        files = list(folder.glob("*.abc"))
    return sorted(files)


def _count_tunes(path: Path, kind: str) -> int:
    if kind == "musicxml":
        return 1
    text = path.read_text(encoding="utf-8", errors="replace")
    return max(1, len(re.findall(r"^X:", text, flags=re.MULTILINE)))


@dataclass(frozen=True)
class _Job:
    collection: str
    path: str
    digest: str
    cache_file: str


def _cache_file(cache_dir: Path, collection: str, path: Path, digest: str) -> Path:
    name = f"{path.stem}-{digest[:16]}-p{PARSER_VERSION}.json.gz"
    return cache_dir / "composer-parse" / collection / name


def _parse_job(job: _Job) -> tuple[_Job, list[dict[str, object]]]:
    """Parse one file (in a pool worker) and store it in the cache; music21 loads here."""
    path = Path(job.path)
    if COLLECTIONS[job.collection].kind == "musicxml":
        from .chorale_parse import parse_chorale

        try:
            tune = parse_chorale(str(path), name=path.name)
        except Exception:
            tune = None
        tunes = [tune] if tune else []
    else:
        from .abc_parse import parse_abc_file

        text = path.read_text(encoding="utf-8", errors="replace")
        tunes = parse_abc_file(text, collection=job.collection, name=path.name)
    raw = [t.to_json() for t in tunes]
    _write_cache(Path(job.cache_file), raw)
    return job, raw


def _write_cache(target: Path, raw: list[dict[str, object]]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    payload = gzip.compress(json.dumps(raw, separators=(",", ":")).encode(), 6, mtime=0)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".json.gz")
    with os.fdopen(fd, "wb") as handle:
        handle.write(payload)
    os.replace(tmp, target)


def _read_cache(target: Path) -> list[dict[str, object]] | None:
    try:
        return list(json.loads(gzip.decompress(target.read_bytes())))
    except (OSError, ValueError, EOFError):
        return None


@dataclass
class ParsedCorpus:
    tunes: list[Tune]
    from_cache: int  # files read from the parse cache
    fresh: int  # files parsed now
    input_digest: str  # one hash over every input file and the parser version


class _Progress:
    """Prints 'parsing <collection> done/total (cached n)' at most about once a second."""

    def __init__(self, report: ProgressFn | None, totals: dict[str, int]) -> None:
        self.report = report
        self.totals = totals
        self.done = dict.fromkeys(totals, 0)
        self.cached = dict.fromkeys(totals, 0)
        self.last = 0.0

    def step(self, collection: str, cached: bool) -> None:
        self.done[collection] += 1
        self.cached[collection] += int(cached)
        finished = self.done[collection] == self.totals[collection]
        now = time.monotonic()
        if self.report and (finished or now - self.last >= 1.0):
            self.last = now
            self.report(
                f"parsing {collection} {self.done[collection]}/{self.totals[collection]} files "
                f"(cached {self.cached[collection]})"
            )


def parse_collections(
    collections: Sequence[str],
    *,
    cache_dir: Path,
    limit: int | None = None,
    workers: int = 2,
    force: bool = False,
    progress: ProgressFn | None = None,
) -> ParsedCorpus:
    """Parse (or read from cache) every file of the collections; limit caps tunes per collection."""
    names = check_collections(collections)
    plan: dict[str, list[tuple[Path, str]]] = {}
    overall = hashlib.sha256(f"parser {PARSER_VERSION} limit {limit}".encode())
    for name in names:
        chosen: list[tuple[Path, str]] = []
        count = 0
        kind = COLLECTIONS[name].kind
        for path in collection_files(name):
            if limit is not None and count >= limit:
                break
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            chosen.append((path, digest))
            count += _count_tunes(path, kind)
            overall.update(f"{name}/{path.name}:{digest}".encode())
        plan[name] = chosen

    results: dict[tuple[str, str], list[dict[str, object]]] = {}
    jobs: list[_Job] = []
    meter = _Progress(progress, {n: len(files) for n, files in plan.items()})
    for name, files in plan.items():
        for path, digest in files:
            target = _cache_file(cache_dir, name, path, digest)
            raw = None if force else _read_cache(target)
            if raw is not None:
                results[(name, str(path))] = raw
                meter.step(name, cached=True)
            else:
                jobs.append(_Job(name, str(path), digest, str(target)))

    # Largest files first so two workers finish together.
    jobs.sort(key=lambda j: -os.path.getsize(j.path))
    if jobs and workers > 1 and len(jobs) > 1:
        # fork: no re-import of __main__ (spawn would re-run an unguarded script).
        context = multiprocessing.get_context("fork")
        with context.Pool(min(workers, len(jobs))) as pool:
            for job, raw in pool.imap_unordered(_parse_job, jobs, chunksize=1):
                results[(job.collection, job.path)] = raw
                meter.step(job.collection, cached=False)
    else:
        for job in jobs:
            _, raw = _parse_job(job)
            results[(job.collection, job.path)] = raw
            meter.step(job.collection, cached=False)

    tunes: list[Tune] = []
    for name, files in plan.items():
        collected: list[Tune] = []
        for path, _digest in files:
            collected.extend(Tune.from_json(r) for r in results[(name, str(path))])
        tunes.extend(collected[:limit] if limit is not None else collected)
    return ParsedCorpus(
        tunes=tunes,
        from_cache=sum(len(files) for files in plan.values()) - len(jobs),
        fresh=len(jobs),
        input_digest=overall.hexdigest(),
    )
