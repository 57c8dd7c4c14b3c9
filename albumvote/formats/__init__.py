"""The site's one way of writing dates (settings.FORMAT_MODULE_PATH): see en/formats.py."""
