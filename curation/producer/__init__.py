"""The producer's side: the dashboard of batches, tracks, charts and picks (producers only)."""
