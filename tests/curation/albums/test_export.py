"""The export archive of a finalized version, unpacked and read back: tags (mutagen), every
audio file probed with imageio-ffmpeg's binary, the M3U8 and CUE parsed, the manifest, cover
and MIDI checked against the album version. Tracks are really rendered."""

import hashlib
import json
import re
import zipfile
from pathlib import Path

import numpy as np
import pretty_midi
import pytest
from django.urls import reverse
from mutagen.id3 import ID3
from mutagen.oggopus import OggOpus
from PIL import Image

from albumvote.exceptions import ApplicationError
from curation.albums import artwork, cover, jobs, mix, tagging
from curation.albums import services as album_services
from curation.albums.export import safe_name
from curation.albums.models import Album, AlbumAudit, AlbumJob, AlbumVersion
from curation.steering.models import TrackSteering
from generation.audio import decode, probe
from generation.audio.loudness import integrated_loudness
from generation.audio.stems import SUM_TOLERANCE, mix_error
from generation.models import Track
from tests.curation.albums.helpers import (
    album_of,
    client_for,
    export_of,
    published_album,
    render_tracks,
)
from tests.factories import ReadyTrackFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tracks(rendering) -> list[Track]:
    return render_tracks(3, seed=5)


@pytest.fixture
def version(tracks, producer) -> AlbumVersion:
    album = album_of(producer, 'Late "Night" / Drive', tracks)
    return album_services.album_finalize(album_id=album.pk, user=producer)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def parse_cue(text: str) -> tuple[str, list[tuple[int, str, float]]]:
    """(file, [(track number, title, start seconds)]) from a CUE sheet."""
    mix_file = re.search(r'^FILE "(.+)" MP3$', text, re.M)
    assert mix_file is not None
    tracks = []
    for block in re.split(r"^  TRACK ", text, flags=re.M)[1:]:
        number = int(block.split()[0])
        title = re.search(r'TITLE "(.*)"', block)
        index = re.search(r"INDEX 01 (\d\d):(\d\d):(\d\d)", block)
        assert title is not None and index is not None
        minutes, seconds, frames = (int(g) for g in index.groups())
        tracks.append((number, title.group(1), minutes * 60 + seconds + frames / 75))
    return mix_file.group(1), tracks


def parse_m3u8(text: str) -> list[tuple[int, str, str]]:
    """[(seconds, "artist - title", file)] from an extended M3U."""
    lines = text.splitlines()
    assert lines[0] == "#EXTM3U"
    entries = []
    for at, line in enumerate(lines):
        if line.startswith("#EXTINF:"):
            seconds, who = line.removeprefix("#EXTINF:").split(",", 1)
            entries.append((int(seconds), who, lines[at + 1]))
    return entries


def test_the_export_archive_matches_the_album_version(
    version, tracks, producer, enqueued, media_root, tmp_path
):
    originals = {t.pk: (sha(media_root / t.audio_mp3.name), sha(media_root / t.audio_opus.name))
                 for t in tracks}  # fmt: skip
    steered = TrackSteering.objects.create(
        track=tracks[0], steered=True, predicted=0.7, predicted_sd=0.1, exploration=0.2,
        pins={"mode": "minor"}, sampled={"tempo_bpm": 0.01},
    )  # fmt: skip
    # As generation records a steered slot's candidates (generation.rerank).
    candidates = {
        "chosen": 1, "rank": 2,
        "candidates": [{"seed": 1, "predicted": 0.72, "passed": False},
                       {"seed": tracks[0].seed, "predicted": 0.71, "passed": True}],
    }  # fmt: skip
    Track.objects.filter(pk=tracks[0].pk).update(candidates=candidates)
    job = jobs.job_request_export(album_id=version.album_id, version_number=1, user=producer)
    assert (job.kind, job.version_id, enqueued) == ("export", version.pk, [job.pk])
    assert job.include_stems is False  # stems only when asked for
    jobs.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.progress, job.error) == ("done", 1.0, ""), job.error

    out = tmp_path / "unzipped"
    with zipfile.ZipFile(media_root / job.file.name) as archive:
        assert archive.testzip() is None
        archive.extractall(out)
    rows = version.tracklist
    total = len(rows)
    stems = [f"{n:02d} - {safe_name(row['title'])}" for n, row in enumerate(rows, start=1)]
    expected = {
        "album.m3u8", "mix.cue", "mix.mp3", "cover.jpg", "manifest.json",
        *(f"{s}.mp3" for s in stems), *(f"ogg/{s}.opus" for s in stems),
        *(f"midi/{s}.mid" for s in stems),
    }  # fmt: skip
    assert {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} == expected

    year = str(version.finalized_at.year)
    for number, (row, stem) in enumerate(zip(rows, stems, strict=True), start=1):
        # MP3: ID3 tags read back, the stream probed.
        mp3 = out / f"{stem}.mp3"
        id3 = ID3(mp3)
        assert str(id3["TIT2"]) == row["title"]
        assert str(id3["TALB"]) == version.title
        assert str(id3["TRCK"]) == f"{number}/{total}"
        assert str(id3["TPE1"]) == "AlbumVote"
        assert str(id3["TDRC"]) == year
        assert str(id3["TBPM"]) == str(round(row["tempo_bpm"]))
        assert str(id3["TKEY"]) == tagging.id3_key(row["key"]) and str(id3["TKEY"])
        facts = probe(mp3)
        assert facts["codec"] == "mp3"
        assert facts["duration_s"] == pytest.approx(row["duration_s"], abs=0.15)

        # Ogg: Vorbis comments read back, the stream probed.
        ogg_path = out / "ogg" / f"{stem}.opus"
        ogg = OggOpus(ogg_path)
        assert ogg["TITLE"] == [row["title"]] and ogg["ALBUM"] == [version.title]
        assert ogg["TRACKNUMBER"] == [str(number)] and ogg["TRACKTOTAL"] == [str(total)]
        assert ogg["ARTIST"] == ["AlbumVote"] and ogg["DATE"] == [year]
        assert ogg["BPM"] == [str(round(row["tempo_bpm"]))] and ogg["KEY"] == [row["key"]]
        facts = probe(ogg_path)
        assert (facts["codec"], facts["format"]) == ("opus", "ogg")
        assert facts["duration_s"] == pytest.approx(row["duration_s"], abs=0.15)

        midi = pretty_midi.PrettyMIDI(str(out / "midi" / f"{stem}.mid"))
        assert midi.instruments and midi.get_end_time() > 30

    # The stored originals were never tagged.
    for track in tracks:
        assert (sha(media_root / track.audio_mp3.name), sha(media_root / track.audio_opus.name)) \
            == originals[track.pk]  # fmt: skip

    # The playlist: every track in order, whole seconds, files that are in the archive.
    entries = parse_m3u8((out / "album.m3u8").read_text("utf-8"))
    assert [file for _, _, file in entries] == [f"{s}.mp3" for s in stems]
    assert [seconds for seconds, _, _ in entries] == [round(r["duration_s"]) for r in rows]
    assert [who for _, who, _ in entries] == [f"AlbumVote - {r['title']}" for r in rows]

    # The CUE sheet: one track per row, starts where the crossfaded mix reaches it.
    mix_file, cue_tracks = parse_cue((out / "mix.cue").read_text("utf-8"))
    assert mix_file == "mix.mp3"
    assert [n for n, _, _ in cue_tracks] == list(range(1, total + 1))
    assert [title for _, title, _ in cue_tracks] == [r["title"].replace('"', "'") for r in rows]
    at = 0.0
    for (_, _, start), row in zip(cue_tracks, rows, strict=True):
        assert start == pytest.approx(at, abs=1 / 75)
        at += row["duration_s"] - mix.CROSSFADE_S
    mix_facts = probe(out / "mix.mp3")
    assert mix_facts["codec"] == "mp3"
    assert mix_facts["duration_s"] == pytest.approx(
        version.total_s - mix.CROSSFADE_S * (total - 1), abs=0.3
    )
    assert cue_tracks[-1][2] < mix_facts["duration_s"]

    # The manifest: provenance and crowd stats exactly as the version froze them.
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["version"]["number"] == 1
    assert manifest["version"]["finalized_by"] == producer.username
    assert manifest["model_versions"] == sorted({r["model_version"] for r in rows})
    assert all(manifest["model_versions"])
    for entry, row, track in zip(manifest["tracks"], rows, tracks, strict=True):
        for field in ("track_id", "seed", "model_version", "params", "crowd", "arena", "preset"):
            assert entry[field] == row[field]
        assert entry["seed"] == track.seed and entry["params"]["seed"] == track.seed
        assert (out / entry["files"]["mp3"]).is_file() and (out / entry["files"]["midi"]).is_file()
    assert manifest["transitions"] == version.transitions
    assert manifest["stems"] is False and not any("stems" in e["files"] for e in manifest["tracks"])
    assert {e["soundfont"] for e in manifest["tracks"]} == {t.soundfont for t in tracks}
    # A track of a steered batch says why it was composed as it was (issue 12).
    why = {e["track_id"]: e["steering"] for e in manifest["tracks"]}
    steered.track.refresh_from_db()
    assert why[tracks[0].pk] == steered.provenance()
    assert why.pop(tracks[0].pk)["candidates"] == candidates  # its rank among K, and the rest
    assert set(why.values()) == {None}
    assert all(e["soundfont"].endswith(".sf2") for e in manifest["tracks"])

    # The cover: a square JPEG with the keys' colours on it, not a blank; the same picture
    # the public album page shows.
    assert (out / "cover.jpg").read_bytes() == artwork.cover_render(version)
    with Image.open(out / "cover.jpg") as image:
        assert (image.format, image.size) == ("JPEG", (1200, 1200))
        colours = image.convert("RGB").resize((60, 60)).getcolors(maxcolors=3600) or []
        assert len(colours) > 50
        rgb = image.convert("RGB")
        for index, row in enumerate(rows):  # each band's centre line has its key's hue
            band_centre = cover.MARGIN + (cover.SIZE - cover.TEXT_AREA - cover.MARGIN) * (
                (index + 0.5) / total
            )
            pixel = rgb.getpixel((cover.SIZE // 2, round(band_centre)))
            assert _close(pixel, cover.key_colour(row["camelot"])), (pixel, row["camelot"])

    audit = AlbumAudit.objects.get(action=AlbumAudit.Action.EXPORTED)
    assert (audit.version_id, audit.actor_id) == (version.pk, producer.pk)


def _close(pixel, colour, tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))


def test_an_unfinalized_album_or_a_missing_version_cannot_be_exported(tracks, producer, enqueued):
    album = album_of(producer, "Night Drive", tracks)
    with pytest.raises(ApplicationError) as caught:
        jobs.job_request_export(album_id=album.pk, version_number=1, user=producer)
    assert (caught.value.code, caught.value.status_code) == ("not_finalized", 400)
    album_services.album_finalize(album_id=album.pk, user=producer)
    with pytest.raises(ApplicationError) as caught:
        jobs.job_request_export(album_id=album.pk, version_number=2, user=producer)
    assert (caught.value.code, caught.value.status_code) == ("not_found", 404)
    assert not AlbumJob.objects.exists() and enqueued == []


def test_the_export_api_and_download(version, producer, enqueued, client, media_root):
    url = reverse("api-album-export", args=[version.album_id, 1])
    assert client_for().post(url).status_code in (401, 403)
    assert client_for(UserFactory()).post(url).status_code == 403

    api = client_for(producer)
    accepted = api.post(url)
    assert accepted.status_code == 202
    body = accepted.json()
    assert (body["kind"], body["version"], body["status"]) == ("export", 1, "queued")
    assert body["stems"] is False  # off by default
    assert api.post(url).json()["id"] == body["id"]  # the same version: the same job
    assert api.post(url, {"stems": False}, format="json").json()["id"] == body["id"]
    bad = api.post(url, {"stems": "yes"}, format="json")
    assert bad.status_code == 400 and bad.json()["error"]["details"]["field"] == "stems"
    unknown = api.post(url, {"stem": True}, format="json")
    assert unknown.status_code == 400 and unknown.json()["error"]["details"]["field"] == "stem"
    unfinalized = api.post(reverse("api-album-export", args=[version.album_id, 7]))
    assert unfinalized.status_code == 404 and unfinalized.json()["error"]["code"] == "not_found"

    jobs.job_run(job_id=body["id"])
    file_url = api.get(reverse("api-album-job", args=[body["id"]])).json()["file_url"]
    client.force_login(producer)
    download = client.get(file_url)
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    assert download["Content-Disposition"].startswith("attachment;")
    assert "v1.zip" in download["Content-Disposition"]
    part = client.get(file_url, headers={"Range": "bytes=0-3"})
    assert part.status_code == 206 and b"".join(part.streaming_content) == b"PK\x03\x04"


# --- stems (asked for with stems: true) ---------------------------------------------------------


def test_an_export_with_stems_holds_each_tracks_parts_and_they_sum_back_to_its_mix(
    version, tracks, producer, enqueued, client, media_root, tmp_path
):
    """Sum back: decoded from the archive's FLAC files, the RMS of (sum of a track's stems -
    its mix.flac) is at most SUM_TOLERANCE (1%) of the mix's RMS."""
    api = client_for(producer)
    url = reverse("api-album-export", args=[version.album_id, 1])
    plain = api.post(url).json()
    accepted = api.post(url, {"stems": True}, format="json")
    assert accepted.status_code == 202
    body = accepted.json()
    assert body["stems"] is True and body["id"] != plain["id"]  # a separate archive
    assert api.post(url, {"stems": True}, format="json").json()["id"] == body["id"]

    jobs.job_run(job_id=body["id"])
    job = AlbumJob.objects.get(pk=body["id"])
    assert (job.status, job.error) == ("done", ""), job.error
    client.force_login(producer)
    download = client.get(api.get(reverse("api-album-job", args=[job.pk])).json()["file_url"])
    assert download.status_code == 200
    assert "v1 with stems.zip" in download["Content-Disposition"]

    out = tmp_path / "unzipped"
    with zipfile.ZipFile(media_root / job.file.name) as archive:
        archive.extractall(out)
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["stems"] is True
    for number, (row, track) in enumerate(zip(version.tracklist, tracks, strict=True), start=1):
        folder = out / "stems" / f"{number:02d} - {safe_name(row['title'])}"
        entry = manifest["tracks"][number - 1]
        assert entry["files"]["stems"] == f"{folder.relative_to(out).as_posix()}/stems.json"
        stems = json.loads((folder / "stems.json").read_text("utf-8"))
        assert stems["soundfont"] == track.soundfont  # the one the track was rendered with
        assert stems["sum_tolerance"] == SUM_TOLERANCE and stems["sum_error"] < 1e-5

        # One audio file and one MIDI file per part of the track's own MIDI, nothing else.
        parts = [i for i in pretty_midi.PrettyMIDI(track.midi.path).instruments if i.notes]
        assert len(stems["stems"]) == len(parts) >= 3
        names = {p.name for p in folder.iterdir()}
        assert names == {"mix.flac", "stems.json"} | {
            f"{s['name']}{suffix}" for s in stems["stems"] for suffix in (".flac", ".mid")
        }
        for stem, part in zip(stems["stems"], parts, strict=True):
            # Named by instrument, in order: "01 melody - fiddle".
            assert stem["name"] == f"{stem['part'] + 1:02d} {part.name.replace(':', ' -')}"
            (alone,) = pretty_midi.PrettyMIDI(str(folder / stem["midi"])).instruments
            assert (alone.program, alone.is_drum) == (part.program, part.is_drum)
            assert len(alone.notes) == len(part.notes)

        mix_pcm, _ = decode(folder / "mix.flac")
        total = np.zeros_like(mix_pcm)
        for stem in stems["stems"]:
            samples, _ = decode(folder / stem["audio"])
            total += samples
        assert mix_error(total, mix_pcm) <= SUM_TOLERANCE
        # The mix is the track itself: as long as the track's own audio, and as loud.
        assert len(mix_pcm) / 48000 == pytest.approx(track.duration_s, abs=0.01)
        assert integrated_loudness(mix_pcm, 48000) == pytest.approx(track.loudness_lufs, abs=0.3)


def test_listeners_never_download_an_export_with_stems(client, producer, media_root, enqueued):
    """Stems are producer material: where producers allow downloads, the public download is
    the plain export, even when an export with stems was built later."""
    album = published_album(producer, "Public", [ReadyTrackFactory.create()])
    Album.objects.filter(pk=album.pk).update(allow_download=True)
    url = reverse("curation:album-download", args=[album.pk])

    export_of(album, 1, b"with stems", include_stems=True)
    assert client.get(url).status_code == 404  # only the producers' archive exists
    export_of(album, 1, b"plain", include_stems=False)
    export_of(album, 1, b"with stems, newer", include_stems=True)
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"plain"
