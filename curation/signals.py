"""Log-in adopts the anonymous listener's history; log-out forgets the listener cookie."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest

from curation.identity import forget_listener, remember_listener
from curation.services.listeners import listener_adopt


@receiver(user_logged_in)
def adopt_listener(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None:
        return
    listener = listener_adopt(user=user, listener_id=getattr(request, "listener_id", None))
    remember_listener(request, listener.pk)


@receiver(user_logged_out)
def forget_listener_on_logout(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    if request is not None:
        forget_listener(request)
