"""Admin for generation: launch batches, follow tracks and their quality metrics, edit schedules."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import InlineModelAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from albumvote.exceptions import ApplicationError

from . import schedules, selectors, services
from .forms import BatchLaunchForm, BatchScheduleForm
from .models import BatchSchedule, GenerationBatch, Track


class BatchLaunchAdminForm(BatchLaunchForm, forms.ModelForm):
    """The dashboard's launch form as the admin's "add batch" form (the admin wants a ModelForm;
    save_model launches the batch through the service)."""

    class Meta:
        model = GenerationBatch
        fields: list[str] = []


class TrackInline(admin.TabularInline):
    model = Track
    fields = ("position", "title", "preset", "status", "attempts", "duration_s", "error")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(GenerationBatch)
class GenerationBatchAdmin(admin.ModelAdmin):
    list_display = ["id", "created_at", "source", "launched_by", "count", "progress", "finished_at"]
    list_filter = ["source"]
    actions = ["launch_again"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[GenerationBatch]:
        return selectors.batch_list()

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        if obj is None:
            kwargs["form"] = BatchLaunchAdminForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        return [
            "source",
            "launched_by",
            "schedule",
            "schedule_slot",
            "count",
            "params",
            "created_at",
            "finished_at",
        ]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            return
        batch = services.batch_launch(
            params=form.batch_params, source=GenerationBatch.Source.ADMIN, launched_by=request.user
        )
        # The admin goes on to redirect to this object.
        obj.pk = batch.pk

    def get_inlines(self, request: HttpRequest, obj: Any) -> list[type[InlineModelAdmin]]:
        # The service creates the tracks; the add form has no track rows to fill in.
        return [TrackInline] if obj is not None else []

    @admin.display(description="Progress")
    def progress(self, batch: Any) -> str:
        parts = [
            f"{getattr(batch, f'n_{status}')} {status}"
            for status in Track.Status.values
            if getattr(batch, f"n_{status}", 0)
        ]
        return ", ".join(parts)

    @admin.action(description="Launch a new batch with the same parameters")
    def launch_again(self, request: HttpRequest, queryset: QuerySet[GenerationBatch]) -> None:
        for batch in queryset:
            raw = {k: v for k, v in batch.params.items() if v is not None}
            raw["count"] = batch.count
            raw.pop("seed", None)  # a new batch, so new music
            try:
                params = services.batch_params_validate(raw)
            except ApplicationError as exc:
                self.message_user(request, f"Batch {batch.pk}: {exc.message}", messages.ERROR)
                continue
            new = services.batch_launch(
                params=params, source=GenerationBatch.Source.ADMIN, launched_by=request.user
            )
            self.message_user(request, f"Launched batch {new.pk} ({new.count} tracks).")


@admin.register(Track)
class TrackAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "title",
        "batch",
        "preset",
        "status",
        "key",
        "camelot",
        "tempo_bpm",
        "duration_s",
        "loudness_lufs",
        "quality",
    ]
    list_filter = ["status", "preset", "batch"]
    search_fields = ["title"]
    list_select_related = ["batch"]
    readonly_fields = [f.name for f in Track._meta.fields] + ["metrics_table", "player"]
    actions = ["retry"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="Quality")
    def quality(self, track: Track) -> str:
        if not track.metrics:
            return "—"
        return "rejected" if track.rejection_reasons else "passed"

    @admin.display(description="Quality metrics (against the training corpus)")
    def metrics_table(self, track: Track) -> str:
        if not track.metrics:
            return "—"
        rows = format_html_join(
            "", "<tr><th>{}</th><td>{}</td></tr>", sorted(track.metrics.items())
        )
        reasons = format_html_join("", "<li>{}</li>", ((r,) for r in track.rejection_reasons))
        return format_html("<table>{}</table><ul>{}</ul>", rows, reasons)

    @admin.display(description="Listen")
    def player(self, track: Track) -> str:
        if not track.audio_mp3:
            return "—"
        return format_html(
            '<audio controls preload="none" src="/tracks/{}/audio.mp3"></audio>', track.pk
        )

    @admin.action(description="Retry the selected failed tracks")
    def retry(self, request: HttpRequest, queryset: QuerySet[Track]) -> None:
        retried = services.tracks_retry(track_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"Queued {len(retried)} failed track(s) again.")


@admin.register(BatchSchedule)
class BatchScheduleAdmin(admin.ModelAdmin):
    form = BatchScheduleForm
    list_display = ["name", "enabled", "count", "preset", "crontab_text", "last_batch"]
    actions = ["run_now"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        schedules.schedule_save(schedule=obj)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        schedules.schedule_delete(schedule=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[BatchSchedule]) -> None:
        for schedule in queryset:
            schedules.schedule_delete(schedule=schedule)

    @admin.display(description="Last batch")
    def last_batch(self, schedule: BatchSchedule) -> str:
        batch = schedule.batches.order_by("-created_at").first()
        return str(batch.created_at) if batch else "—"

    @admin.action(description="Run now (launch a batch with these parameters)")
    def run_now(self, request: HttpRequest, queryset: QuerySet[BatchSchedule]) -> None:
        for schedule in queryset:
            params = services.BatchParams(
                count=schedule.count,
                preset=schedule.preset or None,
                temperature=schedule.temperature,
            )
            batch = services.batch_launch(
                params=params, source=GenerationBatch.Source.ADMIN, launched_by=request.user
            )
            self.message_user(request, f"Launched batch {batch.pk} from '{schedule.name}'.")
