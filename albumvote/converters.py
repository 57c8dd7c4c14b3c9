"""Path converters. `id`: a database id, 1 to 18 digits. Django's `int` accepts any length,
and a number beyond PostgreSQL's bigint made the query fail with a 500 instead of a 404."""

from django.urls import register_converter


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")
