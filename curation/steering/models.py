"""Fitted versions of the crowd's preference model (curation.steering.services)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from generation.rerank import Choice, choice_of


class PreferenceModel(models.Model):
    """One fit of the preference model: Bayesian linear regression of tracks' crowd scores
    on their features (curation.steering.bayes), with what it was fitted on and how well it
    predicted tracks it had not seen. The newest is the current one."""

    fitted_at = models.DateTimeField()
    data_until = models.DateTimeField(help_text="Figures as they stood at this moment")
    samples = models.PositiveIntegerField(help_text="Tracks fitted on")
    held_out = models.PositiveIntegerField(help_text="Tracks kept back for calibration")
    features = models.JSONField(help_text="Feature names, in the order of the coefficients")
    centre = models.JSONField(help_text="Each feature's mean over the fitted tracks")
    scale = models.JSONField(help_text="Each feature's spread over the fitted tracks")
    intercept = models.FloatField(help_text="The fitted tracks' mean crowd score")
    coefficients = models.JSONField(help_text="Posterior mean of each feature's effect")
    covariance = models.JSONField(help_text="Posterior covariance, over the noise variance")
    noise = models.FloatField(help_text="Posterior mean of the noise variance")
    calibration = models.JSONField(
        help_text="Held-out tracks: predicted, interval and actual; error and coverage"
    )
    sources = models.JSONField(
        default=dict,
        help_text="What it learned from: tracks, arena verdicts and listeners, picks and "
        "their weight, and the constants used (curation.steering.evidence)",
    )

    class Meta:
        ordering = ["-fitted_at", "-pk"]

    def __str__(self) -> str:
        return f"Preference model {self.pk} ({self.samples} tracks)"


class TrackSteering(models.Model):
    """Why a track of a steered batch was composed as it was (its provenance)."""

    track = models.OneToOneField(
        "generation.Track", on_delete=models.CASCADE, primary_key=True, related_name="steering"
    )
    steered = models.BooleanField(help_text="Drawn from the model; false: left to explore")
    policy_version = models.ForeignKey(
        PreferenceModel, null=True, blank=True, on_delete=models.SET_NULL, related_name="tracks"
    )
    sampled = models.JSONField(default=dict, help_text="The effects drawn, by feature")
    predicted = models.FloatField(null=True, blank=True, help_text="Predicted crowd score")
    predicted_sd = models.FloatField(null=True, blank=True)
    exploration = models.FloatField(help_text="The batch's exploration share")
    pins = models.JSONField(default=dict, help_text="Parameters the launcher fixed")

    def __str__(self) -> str:
        return f"Steering of track {self.track_id}"

    @property
    def choice(self) -> Choice | None:
        """Which of a steered slot's composed candidates was kept (None: composed alone)."""
        return choice_of(self.track.candidates)

    def provenance(self) -> dict[str, object]:
        """Why the track was composed as it was, as the export manifest gives it."""
        return {
            "steered": self.steered,
            "policy_version": self.policy_version_id,
            "predicted_crowd_score": self.predicted,
            "predicted_sd": self.predicted_sd,
            "sampled_effects": self.sampled,
            "exploration": self.exploration,
            "pins": self.pins,
            # Generation's record of its candidates: which was rendered, its rank by predicted
            # score among K, each one's seed, prediction and gate verdict (None: composed alone).
            "candidates": self.track.candidates or None,
        }


class SteeringSettings(models.Model):
    """The producers' settings for steering (one row, pk 1: SteeringSettings.current())."""

    picks_weight = models.FloatField(
        default=0.0,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="How much producer picks and vetoes weigh against the crowd (0: not at all)",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "steering settings"

    def __str__(self) -> str:
        return "Steering settings"

    @classmethod
    def current(cls) -> "SteeringSettings":
        settings, _ = cls.objects.get_or_create(pk=1)
        return settings
