"""albumvote.builders: a compiled builder gives what the serializer's own `.data` gives."""

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rest_framework import serializers

from albumvote.builders import build, build_many, builder


class Upper(serializers.CharField):
    def to_representation(self, value: Any) -> str:
        return str(value).upper()


class PartSerializer(serializers.Serializer):
    n = serializers.IntegerField()
    tag = Upper(allow_null=True)


class ShapeSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    score = serializers.FloatField(allow_null=True)
    flag = serializers.BooleanField()
    when = serializers.DateTimeField(allow_null=True)
    kind = serializers.ChoiceField(choices=["a", "b"])
    shout = Upper(source="title")
    deep = serializers.IntegerField(source="inner.n", allow_null=True)
    part = PartSerializer(source="inner", allow_null=True)
    parts = PartSerializer(many=True)
    whole = PartSerializer(source="*")
    counts = serializers.DictField(child=serializers.IntegerField())
    by_name = serializers.DictField(child=PartSerializer(), allow_null=True)
    tags = serializers.ListField(child=Upper())
    rows = serializers.ListField(child=serializers.DictField())
    blob = serializers.JSONField()
    twice = serializers.SerializerMethodField()
    extra = serializers.IntegerField(required=False)
    fallback = serializers.IntegerField(default=7)
    deep_fallback = serializers.IntegerField(source="inner.n", default=-1)
    absent = serializers.CharField(allow_null=True)

    def get_twice(self, instance: Any) -> int:
        return 2 * (instance["n"] if isinstance(instance, dict) else instance.n)


def part(n: int, tag: str | None) -> SimpleNamespace:
    return SimpleNamespace(n=n, tag=tag)


def as_object(values: dict[str, Any]) -> SimpleNamespace:
    inner = values["inner"]
    return SimpleNamespace(
        **{
            **values,
            "inner": None if inner is None else part(**inner),
            "parts": [part(**p) for p in values["parts"]],
            "by_name": None
            if values["by_name"] is None
            else {k: part(**p) for k, p in values["by_name"].items()},
        }
    )


parts = st.fixed_dictionaries({"n": st.integers(-5, 5), "tag": st.none() | st.text(max_size=3)})
shapes = st.fixed_dictionaries(
    {
        "pk": st.integers(1, 10**12),
        "title": st.text(max_size=5),
        "score": st.none() | st.floats(allow_nan=False),
        "flag": st.booleans(),
        "when": st.none() | st.datetimes(timezones=st.just(UTC)),
        "kind": st.sampled_from(["a", "b"]),
        "inner": st.none() | parts,
        "parts": st.lists(parts, max_size=3),
        "n": st.integers(-5, 5),
        "tag": st.none() | st.text(max_size=3),
        "counts": st.dictionaries(st.integers(1, 5), st.integers(0, 9), max_size=5),
        "by_name": st.none() | st.dictionaries(st.text(max_size=2), parts, max_size=2),
        "tags": st.lists(st.none() | st.text(max_size=3), max_size=3),
        "rows": st.lists(st.dictionaries(st.text(max_size=2), st.integers()), max_size=2),
        "blob": st.none() | st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
    },
    optional={"extra": st.integers(), "fallback": st.none() | st.integers()},
)


@given(values=shapes)
def test_a_builder_gives_what_the_serializer_gives_for_objects_and_dicts(values):
    by_key = {**values, "parts": list(values["parts"])}
    for instance in (as_object(values), by_key):
        expected = ShapeSerializer(instance).data
        built = build(ShapeSerializer, instance)
        assert built == expected
        assert list(built) == list(expected)  # the same keys, in the same order
        assert ("extra" in built) == ("extra" in values)


def test_many_and_one_builder_per_class():
    rows = [SimpleNamespace(n=n, tag=None) for n in range(3)]
    assert build_many(PartSerializer, rows) == PartSerializer(rows, many=True).data
    assert builder(PartSerializer) is builder(PartSerializer)


def test_keys_that_are_not_python_names():
    Edge = type(
        "EdgeSerializer",
        (serializers.Serializer,),
        {"from": serializers.IntegerField(), "to-do": serializers.IntegerField(source="class")},
    )
    instance = {"from": 1, "class": 2}
    assert build(Edge, instance) == Edge(instance).data == {"from": 1, "to-do": 2}
    obj = SimpleNamespace(**instance)
    assert build(Edge, obj) == Edge(obj).data


def test_a_missing_required_attribute_is_an_error_not_a_silent_gap():
    with pytest.raises(AttributeError):
        build(PartSerializer, SimpleNamespace(tag="x"))
    with pytest.raises(KeyError):
        build(PartSerializer, {"tag": "x"})
    # As DRF: a field that allows null is null when missing.
    assert build(PartSerializer, {"n": 1}) == PartSerializer({"n": 1}).data == {"n": 1, "tag": None}


def test_serializers_it_cannot_follow_are_refused_when_compiled():
    class Custom(serializers.Serializer):
        n = serializers.IntegerField()

        def to_representation(self, instance: Any) -> dict[str, Any]:
            return {"n": 0}

    class Defaulted(serializers.Serializer):
        n = serializers.IntegerField(default=list)  # type: ignore[arg-type]

    for refused in (Custom, Defaulted):
        with pytest.raises(TypeError):
            builder(refused)


def test_dates_go_through_the_fields_own_representation():
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)

    class When(serializers.Serializer):
        at = serializers.DateTimeField()

    assert build(When, {"at": moment}) == {"at": "2026-01-02T03:04:05Z"}
