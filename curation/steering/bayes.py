"""Bayesian linear regression with a conjugate Normal-Inverse-Gamma prior.

Why this model: a crowd rates tens to hundreds of tracks, each a noisy figure, so the effect of
each parameter must come with an honest interval, and a policy drawing parameters (Thompson
sampling) needs a posterior to draw from. The conjugate form gives both in closed form, exactly
and quickly, from a handful of features; a Gaussian process would capture interactions, at the
cost of a kernel to choose and more data to fit.

y = X w + e, e ~ N(0, s2 / weight), w | s2 ~ N(0, s2 / PRIOR_PRECISION I), s2 ~ InvGamma(a0, b0).
Features are standardised and y centred before the fit, so one prior fits every feature.
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


def fit(x: Array, y: Array, weights: Array) -> Posterior:
    """The posterior given standardised features x (n by k), centred y and per-track weights."""
    k = x.shape[1]
    weighted = x * weights[:, None]
    precision = x.T @ weighted + PRIOR_PRECISION * np.eye(k)
    covariance = np.asarray(np.linalg.inv(precision), dtype=np.float64)
    mean = covariance @ (weighted.T @ y)
    a = PRIOR_A + len(y) / 2
    b = max(PRIOR_B + 0.5 * float(y @ (weights * y) - mean @ precision @ mean), 1e-12)
    return Posterior(mean=mean, covariance=covariance, noise=b / (a - 1))
