"""Bayesian linear regression with a conjugate Normal-Inverse-Gamma prior.

Why this model: a crowd rates tens to hundreds of tracks, each a noisy figure, so the effect of
each parameter must come with an honest interval, and a policy drawing parameters (Thompson
sampling) needs a posterior to draw from. The conjugate form gives both in closed form, exactly
and quickly, from a handful of features; a Gaussian process would capture interactions, at the
cost of a kernel to choose and more data to fit.

y = X w + e, e ~ N(0, s2 / weight), w | s2 ~ N(0, s2 / PRIOR_PRECISION I), s2 ~ InvGamma(a0, b0).
Features are standardised and y centred before the fit, so one prior fits every feature.

Pseudo-observations (arena verdicts, producer picks: curation.steering.evidence) are rows like
any other for the effects, but the noise s2 is the spread of crowd scores about the fit, so it
is estimated from the measured rows alone (a cut, as in modular Bayesian inference): a verdict
says which of two tracks is better with the spread of a coin toss, not of a crowd score, and a
pick is a producer's wish. Counting their residuals would let one contrary listener widen every
interval; counting them as observations would let many small rows make the fit sure of itself.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
PRIOR_PRECISION = 1.0
# A weak prior on the noise: about the spread of crowd scores (0..1) between tracks.
PRIOR_A = 1.0
PRIOR_B = 0.01


@dataclass(frozen=True)
class Posterior:
    mean: Array  # of the coefficients
    covariance: Array  # over s2: Cov(w) = s2 * covariance
    noise: float  # the posterior mean of the noise variance s2

    def predict(self, x: Array) -> tuple[float, float]:
        """The crowd score's predicted mean (centred) and standard deviation for features x."""
        mean = float(x @ self.mean)
        spread = self.noise * (1.0 + float(x @ self.covariance @ x))
        return mean, float(np.sqrt(spread))

    def effect_sd(self) -> Array:
        """Each coefficient's posterior standard deviation."""
        return np.asarray(np.sqrt(self.noise * np.diag(self.covariance)), dtype=np.float64)


def fit(x: Array, y: Array, weights: Array, *, pseudo: int = 0) -> Posterior:
    """The posterior given standardised features x (n by k), centred y and per-row weights;
    the last `pseudo` rows are pseudo-observations, left out of the noise."""
    k = x.shape[1]
    weighted = x * weights[:, None]
    precision = x.T @ weighted + PRIOR_PRECISION * np.eye(k)
    covariance = np.asarray(np.linalg.inv(precision), dtype=np.float64)
    mean = covariance @ (weighted.T @ y)
    measured = len(y) - pseudo
    residual = y[:measured] - x[:measured] @ mean
    # b0 + (weighted squared residuals + the prior's share) / 2: with no pseudo-observations,
    # the conjugate b0 + (y'Wy - m'Am) / 2 written out.
    spread = residual @ (weights[:measured] * residual) + PRIOR_PRECISION * mean @ mean
    a = PRIOR_A + measured / 2
    b = max(PRIOR_B + 0.5 * float(spread), 1e-12)
    return Posterior(mean=mean, covariance=covariance, noise=b / (a - 1))
