"""params_from_dict: strict validation with messages that say what is wrong and what is allowed."""

import pytest

from generation.composer import PRESETS, ComposeParams, ComposerParamError, params_from_dict


def test_valid_dict_gives_params_with_defaults():
    params = params_from_dict({"preset": "celtic_reel", "seed": 7})
    assert params == ComposeParams(preset="celtic_reel", seed=7)
    assert params.temperature == 1.0 and params.tempo_bpm is None


def test_full_dict_is_normalised():
    params = params_from_dict(
        {
            "preset": "waltz",
            "seed": 2**32 - 1,
            "temperature": 1,
            "tempo_bpm": 150,
            "mode": "minor",
            "tonic": "bb",
            "target_seconds": 90,
        }
    )
    assert params.tonic == "Bb"
    assert params.temperature == 1.0 and isinstance(params.temperature, float)
    assert params.tempo_bpm == 150.0 and params.target_seconds == 90.0


@pytest.mark.parametrize(
    ("raw", "field", "fragment"),
    [
        ({"seed": 1}, "preset", "required"),
        ({"preset": "reel"}, "seed", "required"),
        ({"preset": "polka", "seed": 1}, "preset", "celtic_reel"),
        ({"preset": "waltz", "seed": True}, "seed", "integer"),
        ({"preset": "waltz", "seed": 1.0}, "seed", "integer"),
        ({"preset": "waltz", "seed": "3"}, "seed", "integer"),
        ({"preset": "waltz", "seed": -1}, "seed", "4294967295"),
        ({"preset": "waltz", "seed": 2**32}, "seed", "4294967295"),
        ({"preset": "waltz", "seed": 1, "temperature": 0.05}, "temperature", "0.1 to 2"),
        ({"preset": "waltz", "seed": 1, "temperature": False}, "temperature", "number"),
        ({"preset": "waltz", "seed": 1, "temperature": float("nan")}, "temperature", "0.1 to 2"),
        ({"preset": "waltz", "seed": 1, "tempo_bpm": 300}, "tempo_bpm", "40 to 220"),
        ({"preset": "waltz", "seed": 1, "tempo_bpm": "fast"}, "tempo_bpm", "number"),
        ({"preset": "waltz", "seed": 1, "mode": "dorian"}, "mode", "'major', 'minor'"),
        ({"preset": "waltz", "seed": 1, "tonic": "H"}, "tonic", "A-G"),
        ({"preset": "waltz", "seed": 1, "tonic": 5}, "tonic", "note name"),
        ({"preset": "waltz", "seed": 1, "target_seconds": 30}, "target_seconds", "60 to 180"),
        ({"preset": "waltz", "seed": 1, "colour": "red"}, "colour", "allowed: preset, seed"),
    ],
)
def test_bad_params_name_the_field_and_the_rule(raw, field, fragment):
    with pytest.raises(ComposerParamError) as caught:
        params_from_dict(raw)
    assert caught.value.field == field
    assert fragment in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_non_dict_is_rejected():
    with pytest.raises(ComposerParamError) as caught:
        params_from_dict(["celtic_reel", 1])  # type: ignore[arg-type]
    assert caught.value.field == "params"


def test_there_are_at_least_four_presets_each_with_its_own_band():
    assert len(PRESETS) >= 4
    for name, preset in PRESETS.items():
        assert preset.name == name and preset.label and preset.description
    assert len({p.melody.program for p in PRESETS.values()}) >= 4
    assert len({p.meter for p in PRESETS.values()}) >= 3
