"""The trained model: its tables, vocabularies and corpus statistics, and its artifact on disk.

An artifact is one .npz file named by the hash of its content (composer-<sha256[:12]>.npz)
holding numpy arrays and a JSON blob; no pickle, so loading never runs code. The file
"current" in the model folder names the artifact in use and is replaced atomically.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ModelNotFoundError
from .ngram import Layout, Table

POINTER = "current"
FORMAT = 1

PITCH_LAYOUT = Layout(
    fields=("group", "mode", "h1", "h2", "h3", "h4"),
    widths=(2, 1, 6, 6, 6, 6),
    levels=(
        ("group", "mode", "h1", "h2", "h3", "h4"),
        ("group", "mode", "h1", "h2", "h3"),
        ("mode", "h1", "h2", "h3"),
        ("mode", "h1", "h2"),
        ("mode", "h1"),
        ("mode",),
    ),
)
RHYTHM_LAYOUT = Layout(
    fields=("meter", "style", "band", "phrase", "p1", "p2"),
    widths=(3, 4, 2, 3, 13, 13),
    levels=(
        ("meter", "style", "band", "phrase", "p1", "p2"),
        ("meter", "style", "band", "phrase", "p1"),
        ("meter", "band", "phrase", "p1"),
        ("meter", "phrase", "p1"),
        ("meter", "phrase"),
        ("meter",),
    ),
)
HARMONY_LAYOUT = Layout(
    fields=("group", "mode", "pos", "c1", "c2"),
    widths=(2, 1, 5, 6, 6),
    levels=(
        ("group", "mode", "pos", "c1", "c2"),
        ("group", "mode", "pos", "c1"),
        ("group", "mode", "c1", "c2"),
        ("group", "mode", "c1"),
        ("group", "mode"),
        ("mode",),
    ),
)


@dataclass
class ComposerModel:
    """Everything compose() and the quality gate need; loaded once per process."""

    version: str
    pitch: Table
    rhythm: Table
    harmony: Table
    patterns: list[tuple[tuple[int, int, int], ...]]  # rhythm id -> bar events (id 0: start)
    pattern_meters: list[str]
    emission: np.ndarray  # (quality, interval above root) -> P(melody note on a chord slot)
    reference: dict[str, Any]  # corpus statistics and bounds for the quality gate
    info: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None


def _layout_json(layout: Layout) -> dict[str, Any]:
    return {"fields": layout.fields, "widths": layout.widths, "levels": layout.levels}


def _layout_from_json(raw: dict[str, Any]) -> Layout:
    return Layout(
        fields=tuple(raw["fields"]),
        widths=tuple(raw["widths"]),
        levels=tuple(tuple(level) for level in raw["levels"]),
    )


def _content(model: ComposerModel) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    arrays: dict[str, np.ndarray] = {}
    for name in ("pitch", "rhythm", "harmony"):
        arrays.update(getattr(model, name).arrays(name))
    arrays["emission"] = np.asarray(model.emission, dtype=np.float64)
    meta = {
        "format": FORMAT,
        "layouts": {
            name: _layout_json(getattr(model, name).layout)
            for name in ("pitch", "rhythm", "harmony")
        },
        "vocab": {name: getattr(model, name).vocab for name in ("pitch", "rhythm", "harmony")},
        "patterns": [list(map(list, p)) for p in model.patterns],
        "pattern_meters": model.pattern_meters,
        "reference": model.reference,
        "info": model.info,
    }
    return arrays, meta


def content_hash(arrays: dict[str, np.ndarray], meta_bytes: bytes) -> str:
    """sha256 over the arrays (name, dtype, shape, bytes) and the metadata, in name order."""
    digest = hashlib.sha256()
    for name in sorted(arrays):
        array = np.ascontiguousarray(arrays[name])
        digest.update(f"{name}|{array.dtype.str}|{array.shape}|".encode())
        digest.update(array.tobytes())
    digest.update(meta_bytes)
    return digest.hexdigest()


def save_model(model: ComposerModel, model_dir: Path, *, make_current: bool = True) -> Path:
    """Write the artifact (if new) and, unless told not to (a candidate version), point
    "current" at it; returns the artifact path."""
    arrays, meta = _content(model)
    meta_bytes = json.dumps(meta, sort_keys=True, separators=(",", ":")).encode()
    digest = content_hash(arrays, meta_bytes)
    model.version = digest[:12]
    model_dir.mkdir(parents=True, exist_ok=True)
    target = model_dir / artifact_name(model.version)
    if not target.exists():
        buffer = io.BytesIO()
        payload: dict[str, Any] = {"meta": np.frombuffer(meta_bytes, dtype=np.uint8), **arrays}
        np.savez_compressed(buffer, **payload)
        _atomic_write(target, buffer.getvalue())
    if make_current:
        _atomic_write(model_dir / POINTER, (target.name + "\n").encode())
    model.path = target
    return target


def artifact_name(version: str) -> str:
    return f"composer-{version}.npz"


def artifact_path(model_dir: Path, version: str) -> Path:
    """The artifact of a version (its content hash); ModelNotFoundError if it is not there."""
    if not version or not all(c in "0123456789abcdef" for c in version):
        raise ModelNotFoundError(f"{version!r} is not a composer version")
    target = Path(model_dir) / artifact_name(version)
    if not target.is_file():
        raise ModelNotFoundError(f"composer version {version} is not in {model_dir}")
    return target


def pointer_set(model_dir: Path, version: str) -> Path:
    """Point "current" at a version's artifact, atomically (a reader sees the old name or
    the new one, never half of either); returns the artifact path."""
    target = artifact_path(model_dir, version)
    _atomic_write(Path(model_dir) / POINTER, (target.name + "\n").encode())
    return target


def current_version(model_dir: Path) -> str:
    """The version "current" names; ModelNotFoundError when there is none."""
    return current_artifact(Path(model_dir)).stem.removeprefix("composer-")


def _atomic_write(target: Path, payload: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def current_artifact(model_dir: Path) -> Path:
    pointer = model_dir / POINTER
    hint = "run `python manage.py train_composer` to train one"
    if not pointer.exists():
        raise ModelNotFoundError(f"no composer model in {model_dir}: {hint}")
    target = model_dir / pointer.read_text().strip()
    if not target.is_file():
        raise ModelNotFoundError(f"composer model {target} is missing: {hint}")
    return target


def load_model(model_dir: Path) -> ComposerModel:
    """The model the "current" pointer names; ModelNotFoundError says how to train one."""
    path = current_artifact(Path(model_dir))
    return read_model(path)


def read_model(path: Path) -> ComposerModel:
    with np.load(path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    meta = json.loads(arrays.pop("meta").tobytes())
    tables = {
        name: Table.from_arrays(
            _layout_from_json(meta["layouts"][name]), int(meta["vocab"][name]), name, arrays
        )
        for name in ("pitch", "rhythm", "harmony")
    }
    version = path.stem.removeprefix("composer-")
    return ComposerModel(
        version=version,
        pitch=tables["pitch"],
        rhythm=tables["rhythm"],
        harmony=tables["harmony"],
        patterns=[tuple((e[0], e[1], e[2]) for e in p) for p in meta["patterns"]],
        pattern_meters=list(meta["pattern_meters"]),
        emission=arrays["emission"],
        reference=meta["reference"],
        info=meta["info"],
        path=path,
    )
