"""factory_boy factories for every model the tests create."""

import factory
from django.contrib.auth.models import Group, User
from django.utils import timezone

from albumvote.permissions import PRODUCERS_GROUP
from curation.models import Listener
from generation.models import GenerationBatch, Track


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pass-word-123")


def _join_producers(user: User, create: bool, extracted: object, **kwargs: object) -> None:
    if create:
        group, _ = Group.objects.get_or_create(name=PRODUCERS_GROUP)
        user.groups.add(group)


class ProducerFactory(UserFactory):
    username = factory.Sequence(lambda n: f"producer{n}")
    producer_group = factory.PostGeneration(_join_producers)


class GenerationBatchFactory(factory.django.DjangoModelFactory[GenerationBatch]):
    class Meta:
        model = GenerationBatch

    source = GenerationBatch.Source.COMMAND
    count = 1
    params = factory.LazyFunction(dict)


class TrackFactory(factory.django.DjangoModelFactory[Track]):
    class Meta:
        model = Track

    batch = factory.SubFactory(GenerationBatchFactory)
    position = factory.Sequence(lambda n: n)
    preset = "celtic_reel"
    seed = factory.Sequence(lambda n: 1000 + n)
    params = factory.LazyAttribute(lambda t: {"preset": t.preset, "seed": t.seed})
    title = factory.Sequence(lambda n: f"Track {n}")


class ReadyTrackFactory(TrackFactory):
    status = Track.Status.READY
    duration_s = 120.0
    key = "D major"
    camelot = "10B"
    tempo_bpm = 112.0
    finished_at = factory.LazyFunction(timezone.now)
    peaks = factory.LazyFunction(lambda: [0.5] * 100)


class ListenerFactory(factory.django.DjangoModelFactory[Listener]):
    """An established listener, whose ratings count (curation.rules.PROVEN_LISTENING_S);
    `proven_at=None` makes a new one."""

    class Meta:
        model = Listener

    proven_at = factory.LazyFunction(timezone.now)
