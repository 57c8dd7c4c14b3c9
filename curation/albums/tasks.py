"""Celery entry points for albums: the preview mix and the export archive."""
