"""Generation: composes tracks with the corpus-trained model, renders them, runs batches.

It owns the composer (composer/), audio rendering and analysis (audio/), the GenerationBatch,
Track and BatchSchedule models, and the Celery tasks that fan a batch out one task per track.
It announces progress on the channel layer (events.py) and never imports curation.
"""
