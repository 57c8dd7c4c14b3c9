"""Writes for curation: listeners, ratings, listening events, refusal counts."""
