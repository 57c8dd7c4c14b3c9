"""M3U8 and CUE files of an album: parsed back, they give the tracks, order and timings."""

import re

import pytest

from curation.albums.playlists import Entry, cue, cue_time, m3u8, mix_starts

ENTRIES = [
    Entry(1, "Copper Jig", "AlbumVote", 121.4, "01 - Copper Jig.mp3"),
    Entry(2, 'The "Tin" Waltz', "AlbumVote", 95.0, "02 - The Tin Waltz.mp3"),
    Entry(3, "Night\nBus", "AlbumVote", 180.2, "03 - Night Bus.mp3"),
]


def test_m3u8_lists_every_track_in_order_with_its_length():
    text = m3u8(ENTRIES, album="First Light")
    lines = text.splitlines()
    assert lines[:2] == ["#EXTM3U", "#PLAYLIST:First Light"]
    infos = re.findall(r"#EXTINF:(\d+),AlbumVote - (.+)\n(.+)", text)
    assert infos == [
        ("121", "Copper Jig", "01 - Copper Jig.mp3"),
        ("95", 'The "Tin" Waltz', "02 - The Tin Waltz.mp3"),
        ("180", "Night Bus", "03 - Night Bus.mp3"),  # no line break smuggled in
    ]


def test_the_cue_sheet_marks_each_start_in_the_crossfaded_mix():
    text = cue(ENTRIES, album="First Light", artist="AlbumVote", mix_file="mix.mp3", crossfade_s=4)
    tracks = re.findall(r'TRACK (\d\d) AUDIO\n\s+TITLE "(.*)"\n.*\n\s+INDEX 01 (\S+)', text)
    assert [(n, t) for n, t, _ in tracks] == [
        ("01", "Copper Jig"),
        ("02", "The 'Tin' Waltz"),
        ("03", "Night Bus"),
    ]
    starts = [start for *_, start in tracks]
    assert starts == [cue_time(s) for s in mix_starts(ENTRIES, crossfade_s=4)]
    assert starts == ["00:00:00", "01:57:30", "03:28:30"]  # 117.4 s and 208.4 s
    assert 'FILE "mix.mp3" MP3' in text


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "00:00:00"), (1.0, "00:01:00"), (61.2, "01:01:15"), (-2, "00:00:00")]
)
def test_cue_times_count_75_frames_a_second(seconds, text):
    assert cue_time(seconds) == text
