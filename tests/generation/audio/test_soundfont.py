"""Which soundfont renders: the configured one when it is a file, else the best installed, else
the TimGM6mb that pretty_midi ships. Tests pass on a machine without fluid-soundfont-gm."""

import logging
import shutil

import numpy as np
import pytest

from generation.audio import AudioError
from generation.audio.soundfont import FALLBACK, soundfont_choose, soundfont_named
from generation.audio.synth import synthesize
from tests.generation.audio.pieces import held_note


@pytest.fixture
def copy_of_fallback(tmp_path):
    path = tmp_path / "Other_GM.sf2"
    shutil.copyfile(FALLBACK, path)
    return path


def test_a_configured_soundfont_that_is_a_file_is_used(copy_of_fallback, tmp_path):
    preferred = [tmp_path / "missing.sf2"]
    assert soundfont_choose(str(copy_of_fallback), preferred=preferred) == copy_of_fallback
    assert soundfont_choose(copy_of_fallback, preferred=[FALLBACK]) == copy_of_fallback


def test_a_missing_configured_soundfont_falls_back_and_says_so(tmp_path, copy_of_fallback, caplog):
    missing = tmp_path / "FluidR3_GM.sf2"
    with caplog.at_level(logging.WARNING, logger="generation.audio.soundfont"):
        assert soundfont_choose(str(missing), preferred=[copy_of_fallback]) == copy_of_fallback
        assert soundfont_choose(str(missing), preferred=[missing]) == FALLBACK
    assert str(missing) in caplog.text


def test_blank_means_the_first_preferred_soundfont_installed(tmp_path, copy_of_fallback):
    absent = tmp_path / "absent.sf2"
    assert soundfont_choose("", preferred=[absent, copy_of_fallback]) == copy_of_fallback
    assert soundfont_choose("", preferred=[absent]) == FALLBACK


def test_a_recorded_name_is_found_only_where_it_is_installed(copy_of_fallback, tmp_path):
    assert soundfont_named("TimGM6mb.sf2") == FALLBACK
    assert soundfont_named("Other_GM.sf2", copy_of_fallback) == copy_of_fallback
    assert soundfont_named("Other_GM.sf2", preferred=[copy_of_fallback]) == copy_of_fallback
    assert soundfont_named("Other_GM.sf2", preferred=[tmp_path / "x.sf2"]) is None
    assert soundfont_named("") is None


def test_the_chosen_soundfont_is_the_one_that_renders(copy_of_fallback, tmp_path):
    midi = held_note(0.5)
    same = synthesize(midi, soundfont=copy_of_fallback)
    assert np.array_equal(same, synthesize(midi, soundfont=FALLBACK))
    broken = tmp_path / "broken.sf2"
    broken.write_bytes(b"RIFF....sfbk not really")
    with pytest.raises(AudioError, match="could not load the soundfont"):
        synthesize(midi, soundfont=broken)
