"""Output serializers compiled into fast builders: the one definition of a response shape both
documents it (drf-spectacular reads the serializer) and builds it, at the speed of a dict
literal.

DRF's `serializer.data` walks each field through several layers per object (a deep copy of
the declared fields per serializer instance, get_attribute, to_representation, a ReturnDict):
several times the cost of writing the dict by hand. The rankings feed (100 entries a page)
and the vote cannot pay that, and a hand-written dict beside the serializer would be a second
copy of the shape. So `builder(OutputSerializer)` reads the serializer's fields once and
compiles (as dataclasses and namedtuple do) a function that builds what `.data` would
(tests/test_builders.py holds the two equal).

What it follows of DRF: each field's source (dotted, or "*"; each step reads a dict by key
and any other object by attribute), nested and many=True serializers, ListField and DictField
children, SerializerMethodField, None becoming null, and a missing key or attribute (or a None
on a dotted source's way) giving the field's default, or null where null is allowed, or
leaving out a field declared required=False. Numbers, text and booleans are passed on
as the instance holds them (DRF would run them through int(), float(), str()); every other
field goes through its own to_representation. A source names an attribute, never a method to
call (use a SerializerMethodField). Refused when compiling: a serializer that overrides
to_representation, and callable defaults.
"""

import functools
import itertools
import keyword
from collections.abc import Callable
from typing import Any, cast

from rest_framework import fields as drf_fields
from rest_framework import serializers

Builder = Callable[[Any], Any]
_MISSING = object()

# Fields whose to_representation hands back a value of the right type unchanged.
_AS_IS = {
    drf_fields.IntegerField.to_representation,
    drf_fields.FloatField.to_representation,
    drf_fields.CharField.to_representation,
    drf_fields.BooleanField.to_representation,
    type(drf_fields.DictField().child).to_representation,  # an unvalidated child
}


@functools.cache
def builder(serializer_class: type[serializers.Serializer]) -> Builder:
    """A function of one instance that returns `serializer_class(instance).data`, as a
    plain dict, compiled once per serializer class."""
    compiler = _Compiler()
    name = compiler.serializer(serializer_class())
    code = compile("\n".join(compiler.lines), f"<builder of {serializer_class.__name__}>", "exec")
    namespace = dict(compiler.constants)
    exec(code, namespace)
    return cast(Builder, namespace[name])


def build(serializer_class: type[serializers.Serializer], instance: Any) -> Any:
    return builder(serializer_class)(instance)


def build_many(serializer_class: type[serializers.Serializer], instances: Any) -> list[Any]:
    make = builder(serializer_class)
    return [make(instance) for instance in instances]


class _Compiler:
    def __init__(self) -> None:
        self.constants: dict[str, Any] = {}
        self.lines: list[str] = []
        self.names = itertools.count()
        self.compiled: dict[int, str] = {}  # serializer id -> its function's name

    def name(self, prefix: str) -> str:
        return f"_{prefix}{next(self.names)}"

    def constant(self, value: Any) -> str:
        name = self.name("k")
        self.constants[name] = value
        return name

    def serializer(self, serializer: serializers.BaseSerializer) -> str:
        """Compiles the serializer's builder; returns its function's name."""
        if id(serializer) in self.compiled:
            return self.compiled[id(serializer)]
        if type(serializer).to_representation is not serializers.Serializer.to_representation:
            raise TypeError(f"{type(serializer).__name__} overrides to_representation")
        assert isinstance(serializer, serializers.Serializer)
        readable = [f for f in serializer.fields.values() if not f.write_only]
        name = self.compiled[id(serializer)] = self.name("build")
        by_key = self.body(readable, mapping=True)
        by_attribute = self.body(readable, mapping=False)
        self.lines += [
            f"def {name}(o):",
            "    if o.__class__ is dict:",
            *(f"        {line}" for line in by_key),
            *(f"    {line}" for line in by_attribute),
        ]
        return name

    def body(self, fields: list[drf_fields.Field], *, mapping: bool) -> list[str]:
        items: list[tuple[str, str, str | None]] = []  # key, value code, presence test
        for field in fields:
            key = cast(str, field.field_name)  # set once the field is bound to its serializer
            if isinstance(field, drf_fields.SerializerMethodField):
                method = getattr(field.parent, field.method_name)
                items.append((key, f"{self.constant(method)}(o)", None))
                continue
            present = None
            optional = not (field.required or field.read_only or field.allow_null)
            if optional and field.default is drf_fields.empty:  # left out when missing
                if len(field.source_attrs) != 1:
                    raise TypeError(f"{field.field_name}: an optional field needs a plain source")
                attr = field.source_attrs[0]
                present = f"{attr!r} in o" if mapping else f"hasattr(o, {attr!r})"
            items.append((key, self.value(field, self.read(field, mapping)), present))
        if all(present is None for _, _, present in items):
            return ["return {" + ", ".join(f"{key!r}: {code}" for key, code, _ in items) + "}"]
        lines = ["d = {}"]
        for key, code, present in items:
            if present is None:
                lines.append(f"d[{key!r}] = {code}")
            else:
                lines += [f"if {present}:", f"    d[{key!r}] = {code}"]
        return [*lines, "return d"]

    def read(self, field: drf_fields.Field, mapping: bool) -> str:
        """Code for the field's attribute of the instance `o`."""
        if not field.source_attrs:  # source="*"
            return "o"
        if field.default is not drf_fields.empty or field.allow_null:
            return self.read_or_fallback(field, mapping)
        first, *rest = field.source_attrs
        code = f"o[{first!r}]" if mapping else _attribute("o", first)
        for attr in rest:
            step = self.name("t")
            by_key, by_attribute = f"{step}[{attr!r}]", _attribute(step, attr)
            code = f"({by_key} if ({step} := {code}).__class__ is dict else {by_attribute})"
        return code

    def read_or_fallback(self, field: drf_fields.Field, mapping: bool) -> str:
        """As DRF reads a field with a default or null allowed: a key or attribute missing on
        the way (or a None to read it from) gives the default, else None."""
        if field.default is drf_fields.empty:
            fallback = "None"
        elif callable(field.default):
            raise TypeError(f"{field.field_name}: callable defaults are not supported")
        else:
            fallback = self.constant(field.default)
        missing = self.constant(_MISSING)
        steps = []
        code = "o"
        for index, attr in enumerate(field.source_attrs):
            by_key = f"{code}.get({attr!r}, {missing})"
            by_attribute = f"getattr({code}, {attr!r}, {missing})"
            if index == 0:
                read = by_key if mapping else by_attribute
            else:
                read = f"({by_key} if {code}.__class__ is dict else {by_attribute})"
            code = self.name("t")
            steps.append((code, read))
        expression = code
        for step, read in reversed(steps):
            expression = f"({fallback} if ({step} := {read}) is {missing} else {expression})"
        return expression

    def value(self, field: drf_fields.Field, code: str) -> str:
        """Code for the field's JSON value of the attribute `code`; None stays None."""
        if isinstance(field, serializers.ListSerializer):
            return self.each(cast(drf_fields.Field, field.child), code)
        if isinstance(field, serializers.BaseSerializer):
            function = self.serializer(field)
            return self.unless_none(code, lambda v: f"{function}({v})")
        if isinstance(field, drf_fields.ListField):
            return self.each(field.child, code)
        if isinstance(field, drf_fields.DictField):
            key, item = self.name("n"), self.name("i")
            element = self.value(field.child, item)
            return self.unless_none(
                code, lambda v: f"{{str({key}): {element} for {key}, {item} in {v}.items()}}"
            )
        if type(field).to_representation in _AS_IS:
            return code
        if isinstance(field, drf_fields.JSONField) and not field.binary:
            return code
        convert = self.constant(field.to_representation)
        return self.unless_none(code, lambda v: f"{convert}({v})")

    def each(self, child: drf_fields.Field, code: str) -> str:
        item = self.name("i")
        element = self.value(child, item)
        return self.unless_none(code, lambda v: f"[{element} for {item} in {v}]")

    def unless_none(self, code: str, make: Callable[[str], str]) -> str:
        if code.isidentifier():
            return f"(None if {code} is None else {make(code)})"
        value = self.name("v")
        return f"(None if ({value} := {code}) is None else {make(value)})"


def _attribute(code: str, attr: str) -> str:
    if attr.isidentifier() and not keyword.iskeyword(attr):
        return f"{code}.{attr}"
    return f"getattr({code}, {attr!r})"
