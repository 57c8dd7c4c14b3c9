"""Training: content-hash-named artifacts, the pointer, the parse cache and the command."""

import re
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from generation.composer import ModelNotFoundError, load_model, train
from generation.composer.model import POINTER, content_hash

SMALL = ["oneills1850", "bach"]


def test_training_writes_a_hash_named_artifact_and_retrains_from_cache(tmp_path):
    cache, models = tmp_path / "cache", tmp_path / "models"
    first = train(SMALL, cache_dir=cache, model_dir=models, limit=6, workers=2)
    assert first.parsed_fresh > 0 and first.parsed_from_cache == 0
    assert first.pieces == 12 and first.tokens > 1000
    assert re.fullmatch(r"composer-[0-9a-f]{12}\.npz", first.path.name)
    assert first.path.name == f"composer-{first.version}.npz"
    assert (models / POINTER).read_text().strip() == first.path.name
    assert list(cache.rglob("*.json.gz")), "the parse cache is written"

    # The name is the hash of the content: recompute it from the stored arrays.
    with np.load(first.path) as data:
        arrays = {name: data[name] for name in data.files}
    meta = arrays.pop("meta").tobytes()
    assert content_hash(arrays, meta)[:12] == first.version

    again = train(SMALL, cache_dir=cache, model_dir=models, limit=6, workers=2)
    assert again.parsed_fresh == 0 and again.parsed_from_cache == first.parsed_fresh
    assert again.version == first.version, "training is deterministic"

    more = train(SMALL, cache_dir=cache, model_dir=models, limit=7, workers=1)
    assert more.version != first.version
    assert (models / POINTER).read_text().strip() == more.path.name
    assert load_model(models).version == more.version
    assert first.path.exists(), "older artifacts stay for rollback"


def test_a_changed_file_is_parsed_again(tmp_path, monkeypatch):
    from generation.composer import corpus

    cache = tmp_path / "cache"
    train(["oneills1850"], cache_dir=cache, model_dir=tmp_path / "m", limit=3, workers=1)
    original = corpus.collection_files

    def edited(name):
        files = original(name)
        copy = tmp_path / files[0].name
        copy.write_bytes(files[0].read_bytes() + b"\n% edited\n")
        return [copy, *files[1:]]

    monkeypatch.setattr(corpus, "collection_files", edited)
    result = train(["oneills1850"], cache_dir=cache, model_dir=tmp_path / "m", limit=3, workers=1)
    assert result.parsed_fresh == 1


def test_missing_model_says_how_to_train(tmp_path):
    with pytest.raises(ModelNotFoundError, match="train_composer"):
        load_model(tmp_path)
    (tmp_path / POINTER).write_text("composer-000000000000.npz\n")
    with pytest.raises(ModelNotFoundError, match="train_composer"):
        load_model(tmp_path)


def test_artifact_is_compact_and_holds_no_pickle(composer_model):
    assert composer_model.path is not None
    assert composer_model.path.stat().st_size < 5_000_000
    with np.load(composer_model.path, allow_pickle=False) as data:
        assert all(data[name].dtype != object for name in data.files)


def test_command_trains_and_reports(tmp_path, settings, capsys):
    settings.COMPOSER_CACHE_DIR = tmp_path / "cache"
    settings.COMPOSER_MODEL_DIR = tmp_path / "models"
    call_command("train_composer", "--collections", "oneills1850", "--limit", "5")
    out = capsys.readouterr().out
    assert "parsing oneills1850" in out
    version = load_model(Path(settings.COMPOSER_MODEL_DIR)).version
    assert f"model {version}" in out and "5 pieces" in out and "tokens" in out

    call_command("train_composer", "--collections", "oneills1850", "--limit", "5", "--if-missing")
    assert "already present" in capsys.readouterr().out


def test_command_rejects_unknown_collections(tmp_path, settings):
    settings.COMPOSER_MODEL_DIR = tmp_path / "models"
    with pytest.raises(CommandError) as caught:
        call_command("train_composer", "--collections", "bach", "mozart")
    assert "mozart" in str(caught.value)
    assert "ryansMammoth" in str(caught.value) and "essen" in str(caught.value)
