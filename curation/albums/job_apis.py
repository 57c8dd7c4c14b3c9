"""API for album jobs (producers): ask for a preview mix, an export archive or a track's
stems, then poll the job."""

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from albumvote.exceptions import ApplicationError
from albumvote.openapi import ErrorSerializer, errors
from albumvote.permissions import IsProducer
from curation.albums import jobs
from curation.albums.api_input import FLAG, body_of
from curation.albums.models import AlbumJob


class AlbumJobOutputSerializer(serializers.Serializer):
    """From an AlbumJob: builds the job's JSON (job_json) and documents it."""

    id = serializers.IntegerField()
    # Plain strings: an enum named "status" would collide with the tracks' in the schema.
    kind = serializers.CharField(help_text="preview | export | stems")
    status = serializers.CharField(help_text="queued | running | done | failed")
    progress = serializers.FloatField(help_text="0..1")
    stage = serializers.CharField(help_text="What it is doing now")
    error = serializers.CharField(help_text="Why it failed; empty otherwise")
    album_id = serializers.IntegerField(allow_null=True, help_text="Null for a track's stems")
    track_id = serializers.IntegerField(allow_null=True, help_text="Set for a track's stems")
    version = serializers.IntegerField(
        source="version.number", allow_null=True, help_text="The exported version number"
    )
    stems = serializers.BooleanField(
        source="include_stems",
        help_text="An export that also holds a stem set per track (asked for with stems: true)",
    )
    file_url = serializers.SerializerMethodField(help_text="Set once the job is done")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_file_url(self, job: AlbumJob) -> str | None:
        done = job.status == AlbumJob.Status.DONE and bool(job.file)
        return reverse("curation:album-job-file", args=[job.pk]) if done else None


def job_json(job: AlbumJob) -> dict[str, Any]:
    return dict(AlbumJobOutputSerializer(job).data)


class AlbumPreviewApi(APIView):
    """POST: a preview mix of the working tracklist (an identical, still valid one is reused)."""

    permission_classes = [IsProducer]

    @extend_schema(
        operation_id="album_preview_create",
        request=None,
        responses={202: AlbumJobOutputSerializer, **errors(400, 403, 404)},
    )
    def post(self, request: Request, album_id: int) -> Response:
        job = jobs.job_request_preview(album_id=album_id, user=request.user)
        return Response(job_json(job), status=status.HTTP_202_ACCEPTED)


class AlbumExportInputSerializer(serializers.Serializer):
    stems = serializers.BooleanField(
        required=False,
        default=False,
        help_text=(
            "Also put each track's stems in the archive (stems/<track>/: a 24-bit FLAC and a "
            "MIDI file per part, the track's mix as FLAC, stems.json). Off by default: it "
            "makes the archive several times larger and the job several times longer."
        ),
    )


class AlbumExportApi(APIView):
    """POST: an export archive (ZIP) of a finalized version; the body may be empty."""

    permission_classes = [IsProducer]

    @extend_schema(
        operation_id="album_export_create",
        request=AlbumExportInputSerializer,
        responses={202: AlbumJobOutputSerializer, **errors(400, 403, 404)},
    )
    def post(self, request: Request, album_id: int, number: int) -> Response:
        data = body_of(request, {"stems": FLAG})
        job = jobs.job_request_export(
            album_id=album_id,
            version_number=number,
            user=request.user,
            stems=data.get("stems", False),
        )
        return Response(job_json(job), status=status.HTTP_202_ACCEPTED)


class TrackStemsApi(APIView):
    """POST: a ZIP of one track's stems (per part a 24-bit FLAC and a MIDI file)."""

    permission_classes = [IsProducer]

    @extend_schema(
        operation_id="track_stems_create",
        request=None,
        responses={
            202: AlbumJobOutputSerializer,
            **errors(403, 404),
            409: OpenApiResponse(ErrorSerializer, description="The track has no MIDI yet"),
        },
    )
    def post(self, request: Request, track_id: int) -> Response:
        job = jobs.job_request_stems(track_id=track_id, user=request.user)
        return Response(job_json(job), status=status.HTTP_202_ACCEPTED)


class AlbumJobApi(APIView):
    """GET: how far a job has got; file_url once it is done."""

    permission_classes = [IsProducer]

    @extend_schema(
        operation_id="album_job_retrieve",
        responses={200: AlbumJobOutputSerializer, **errors(403, 404)},
    )
    def get(self, request: Request, job_id: int) -> Response:
        job = jobs.job_get(job_id=job_id)
        if job is None:
            raise ApplicationError("No such job.", code="not_found", status_code=404)
        return Response(job_json(job))
