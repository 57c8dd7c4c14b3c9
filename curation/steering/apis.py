"""Steering API, producers only: what the crowd likes (the current preference model's effects
and calibration), the steering history, the fitted versions and a refit on demand, the picks
weight, and steering per schedule. Bodies are checked strictly by the services (a weight of
"0.5" or true is refused, naming the field)."""

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from albumvote.builders import build
from albumvote.exceptions import ApplicationError
from albumvote.openapi import ErrorSerializer, errors
from albumvote.permissions import IsProducer
from curation.steering import selectors, services
from curation.steering.models import SteeringSettings


class PreferenceEffectSerializer(serializers.Serializer):
    # From a selectors.Effect.
    feature = serializers.CharField(help_text="The feature (generation.features.NAMES)")
    name = serializers.CharField(source="label", help_text="e.g. Waltz, Tempo, Tempo in Waltz")
    unit = serializers.CharField(
        help_text="The change the effect is over: e.g. 'per +10 BPM', 'instead of major'"
    )
    change = serializers.FloatField(help_text="Mean change of the crowd score (0 to 1)")
    low = serializers.FloatField(help_text="The 90% interval's low end")
    high = serializers.FloatField(help_text="The 90% interval's high end")
    sd = serializers.FloatField(help_text="Posterior standard deviation")
    credible = serializers.ChoiceField(
        choices=["up", "down", "unsure"], help_text="up or down: the interval leaves out 0"
    )
    tried = serializers.BooleanField(
        help_text="False: no fitted track varied it, so the figure is the prior's"
    )


class PreferenceCalibrationPointSerializer(serializers.Serializer):
    track = serializers.IntegerField()
    predicted = serializers.FloatField()
    sd = serializers.FloatField()
    actual = serializers.FloatField()


class PreferenceCalibrationSerializer(serializers.Serializer):
    mean_abs_error = serializers.FloatField(allow_null=True)
    coverage90 = serializers.FloatField(
        allow_null=True, help_text="Share of actual scores inside the 90% interval"
    )
    points = PreferenceCalibrationPointSerializer(many=True, help_text="The held-out tracks")


class PreferenceVersionSerializer(serializers.Serializer):
    # From a PreferenceModel.
    id = serializers.IntegerField(source="pk")
    fitted_at = serializers.DateTimeField()
    data_until = serializers.DateTimeField()
    samples = serializers.IntegerField(help_text="Tracks fitted on")
    held_out = serializers.IntegerField(help_text="Tracks kept back for calibration")
    mean_abs_error = serializers.FloatField(source="calibration.mean_abs_error", allow_null=True)
    coverage90 = serializers.FloatField(source="calibration.coverage90", allow_null=True)


class SteeringSerializer(serializers.Serializer):
    # From a selectors.Overview.
    model = PreferenceVersionSerializer(
        source="version", allow_null=True, help_text="null before a fit"
    )
    baseline = serializers.CharField(help_text="The preset the presets' effects are against")
    effects = PreferenceEffectSerializer(many=True, help_text="Largest first; empty before a fit")
    calibration = PreferenceCalibrationSerializer(allow_null=True)
    tracks_usable = serializers.IntegerField(help_text="Rated tracks the fit can learn from")
    tracks_held_out = serializers.IntegerField()
    tracks_needed = serializers.IntegerField(
        help_text="More rated tracks needed before a fit (0: enough); until then batches are "
        "composed as unsteered ones"
    )
    min_tracks = serializers.IntegerField()


class SteeringApi(APIView):
    """GET: the current preference model's effects (in a producer's units, with 90%
    intervals) and calibration, or how many more rated tracks are needed."""

    permission_classes = [IsProducer]

    @extend_schema(
        operation_id="steering_retrieve", responses={200: SteeringSerializer, **errors(403)}
    )
    def get(self, request: Request) -> Response:
        return Response(build(SteeringSerializer, selectors.steering_overview()))


class SteeringSeriesSerializer(serializers.Serializer):
    mean = serializers.FloatField(allow_null=True, help_text="Mean crowd score; null: none rated")
    rated = serializers.IntegerField()


class SteeredSeriesSerializer(SteeringSeriesSerializer):
    mean = serializers.FloatField(source="steered_mean", allow_null=True)
    rated = serializers.IntegerField(source="steered_rated")


class ExploringSeriesSerializer(SteeringSeriesSerializer):
    mean = serializers.FloatField(source="exploring_mean", allow_null=True)
    rated = serializers.IntegerField(source="exploring_rated")


class BatchSteeringSerializer(serializers.Serializer):
    # From a selectors.BatchSteering.
    batch = serializers.IntegerField(source="batch_id")
    created_at = serializers.DateTimeField()
    tracks = serializers.IntegerField()
    steered = SteeredSeriesSerializer(source="*")
    exploring = ExploringSeriesSerializer(source="*")


class SteeringHistorySerializer(serializers.Serializer):
    batches = BatchSteeringSerializer(
        many=True, help_text="The latest steered batches, oldest first"
    )


class SteeringHistoryApi(APIView):
    """GET: per steered batch, the mean crowd score of its steered and exploring tracks."""

    permission_classes = [IsProducer]

    @extend_schema(
        operation_id="steering_history_retrieve",
        responses={200: SteeringHistorySerializer, **errors(403)},
    )
    def get(self, request: Request) -> Response:
        return Response(build(SteeringHistorySerializer, {"batches": selectors.steering_history()}))


class PreferenceVersionListSerializer(serializers.Serializer):
    results = PreferenceVersionSerializer(
        many=True, help_text=f"The newest {selectors.VERSIONS_SHOWN}"
    )


def _body(request: Request, allowed: set[str]) -> dict[str, Any]:
    data = request.data
    if not isinstance(data, dict):
        raise ApplicationError("Send a JSON object.", details={"field": "non_field_errors"})
    unknown = sorted(str(key) for key in data if key not in allowed)
    if unknown:
        raise ApplicationError(
            f"Unknown field(s): {', '.join(unknown)}.", details={"field": unknown[0]}
        )
    nulls = sorted(str(key) for key, value in data.items() if value is None)
    if nulls:
        raise ApplicationError(f"{nulls[0]} may not be null.", details={"field": nulls[0]})
    return dict(data)


class SteeringFitsApi(APIView):
    """GET: the fitted versions, newest first. POST (no body): refit now; 409 while too few
    rated tracks (details.tracks_needed)."""

    permission_classes = [IsProducer]

    @extend_schema(
        operation_id="steering_fits_list",
        responses={200: PreferenceVersionListSerializer, **errors(403)},
    )
    def get(self, request: Request) -> Response:
        versions = selectors.preference_versions()
        return Response(build(PreferenceVersionListSerializer, {"results": versions}))

    @extend_schema(
        operation_id="steering_fits_create",
        request=None,
        responses={
            201: PreferenceVersionSerializer,
            **errors(400, 403),
            409: OpenApiResponse(
                ErrorSerializer, description="Too few rated tracks to fit (code too_few_tracks)"
            ),
        },
    )
    def post(self, request: Request) -> Response:
        _body(request, set())
        version = services.preference_refit()
        return Response(build(PreferenceVersionSerializer, version), status=status.HTTP_201_CREATED)


class SteeringSettingsSerializer(serializers.Serializer):
    picks_weight = serializers.FloatField(
        min_value=0,
        max_value=1,
        help_text="How much producer picks and vetoes weigh against the crowd (0 to 1)",
    )


class SteeringSettingsOutputSerializer(SteeringSettingsSerializer):
    updated_at = serializers.DateTimeField(read_only=True)


class SteeringSettingsApi(APIView):
    """GET: the steering settings. PATCH {"picks_weight": 0.3}."""

    permission_classes = [IsProducer]

    @extend_schema(
        operation_id="steering_settings_retrieve",
        responses={200: SteeringSettingsOutputSerializer, **errors(403)},
    )
    def get(self, request: Request) -> Response:
        return Response(build(SteeringSettingsOutputSerializer, SteeringSettings.current()))

    @extend_schema(
        operation_id="steering_settings_partial_update",
        request=SteeringSettingsSerializer,
        responses={200: SteeringSettingsOutputSerializer, **errors(400, 403)},
    )
    def patch(self, request: Request) -> Response:
        body = _body(request, {"picks_weight"})
        settings = (
            services.steering_settings_update(picks_weight=body["picks_weight"])
            if "picks_weight" in body
            else SteeringSettings.current()
        )
        return Response(build(SteeringSettingsOutputSerializer, settings))


class ScheduleSteeringInputSerializer(serializers.Serializer):
    steer = serializers.BooleanField(required=False)
    exploration = serializers.FloatField(
        required=False, min_value=0, max_value=1, help_text="Share composed unsteered (0 to 1)"
    )


class SchedulePinsSerializer(serializers.Serializer):
    preset = serializers.CharField(help_text="Blank: a mix of presets (not pinned)")
    temperature = serializers.FloatField()


class ScheduleSteeringSerializer(serializers.Serializer):
    # From a BatchSchedule.
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    enabled = serializers.BooleanField()
    steer = serializers.BooleanField()
    exploration = serializers.FloatField()
    pins = SchedulePinsSerializer(source="*", help_text="What steered batches keep")


class ScheduleSteeringApi(APIView):
    """PATCH {"steer": true, "exploration": 0.2}: steering for one schedule."""

    permission_classes = [IsProducer]

    @extend_schema(
        operation_id="steering_schedules_partial_update",
        request=ScheduleSteeringInputSerializer,
        responses={200: ScheduleSteeringSerializer, **errors(400, 403, 404)},
    )
    def patch(self, request: Request, schedule_id: int) -> Response:
        body = _body(request, {"steer", "exploration"})
        schedule = services.schedule_steering_set(
            schedule_id=schedule_id, steer=body.get("steer"), exploration=body.get("exploration")
        )
        return Response(build(ScheduleSteeringSerializer, schedule))
