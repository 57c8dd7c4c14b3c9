"""Generated titles: one convention, title case, for every preset's kind of title."""

import numpy as np
import pytest

from generation.composer.presets import PRESETS
from generation.composer.titles import KIND_WORD, SMALL_WORDS, make_title

KINDS = sorted({*KIND_WORD, *(preset.title_kind for preset in PRESETS.values())})


def title_cased(title: str) -> bool:
    """Every word capitalised except small words inside the title; the first word (and the
    first after a colon) always capitalised."""
    words = title.split()
    for index, word in enumerate(words):
        bare = word.strip("()'")
        starts_phrase = index == 0 or words[index - 1].endswith(":")
        if bare.lower() in SMALL_WORDS and not starts_phrase:
            if bare != bare.lower():
                return False
        elif not bare[:1].isupper():
            return False
    return True


@pytest.mark.parametrize("kind", KINDS)
def test_every_title_is_in_title_case(kind: str):
    titles = {make_title(np.random.default_rng(seed), kind) for seed in range(400)}
    assert len(titles) > 20  # the seeds reach many forms and words
    wrong = sorted(t for t in titles if not title_cased(t))
    assert wrong == []


def test_lofi_titles_keep_their_words_in_title_case():
    titles = {make_title(np.random.default_rng(seed), "lofi") for seed in range(400)}
    assert any(t.endswith(" at Night") for t in titles)
    assert any(t.endswith(" (Tape)") for t in titles)
    assert all(t == t.strip() and "  " not in t for t in titles)


def test_the_same_seed_gives_the_same_title():
    first = make_title(np.random.default_rng(7), "reel")
    assert first == make_title(np.random.default_rng(7), "reel")


def test_the_checker_itself_tells_lowercase_from_title_case():
    assert not title_cased("hill at night")
    assert not title_cased("The Heron Of The Glen")
    assert title_cased("Hill at Night")
    assert title_cased("Chorale: The Silver Heron")
