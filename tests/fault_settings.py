"""Test settings plus views that fail on purpose (tests/fault_urls.py), for servers started by
tests that check what a failing view answers."""

from albumvote.settings.test import *  # noqa: F403

ROOT_URLCONF = "tests.fault_urls"
