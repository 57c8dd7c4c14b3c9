"""Curation: listeners, ratings, listening events, rankings, arena, albums and live updates.

It may import generation; generation never imports it.
"""
