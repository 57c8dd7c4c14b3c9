"""Listening-side limits: feedback rate limits and new-identity bursts per IP address."""

import environ

env = environ.Env()

# (requests, window in seconds). Generous for people, tight enough to make stuffing slow.
CURATION_RATE_LIMITS = {
    "rating_per_listener": (env.int("RATE_RATING_PER_LISTENER", default=30), 60),
    "rating_per_ip": (env.int("RATE_RATING_PER_IP", default=600), 60),
    "events_per_listener": (env.int("RATE_EVENTS_PER_LISTENER", default=60), 60),
    "events_per_ip": (env.int("RATE_EVENTS_PER_IP", default=3000), 60),
}
# Group commit of socket ratings (curation/groupcommit.py): how long the first rating of a
# quiet moment waits for others to share its transaction.
CURATION_RATING_GROUP_WINDOW_S = env.float("RATING_GROUP_WINDOW_S", default=0.002)
CURATION_NEW_LISTENERS_PER_IP = env.int("NEW_LISTENERS_PER_IP", default=20)
# Accounts one address may create per hour: a household or a class, not a sybil farm.
CURATION_SIGNUPS_PER_IP = env.int("SIGNUPS_PER_IP", default=5)
CURATION_SIGNUPS_WINDOW_S = 3600
CURATION_NEW_LISTENERS_WINDOW_S = env.int("NEW_LISTENERS_WINDOW_S", default=600)
# Bayesian average: this many pseudo-votes at the site-wide mean rating (curation.scoring).
CURATION_BAYES_PRIOR_STRENGTH = env.float("BAYES_PRIOR_STRENGTH", default=5.0)
