"""Rankings: the public order of tracks, read from the stored per-track aggregates.

The formulas live in curation.scoring; this package reads them (selectors) and publishes them
(the /api/v1/rankings/ feed). Nothing here aggregates votes: that happens once per vote.
"""
