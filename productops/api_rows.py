"""API list rows built from flat `values()` dicts instead of a serializer per row.

A list page holds up to 500 rows; DRF's ModelSerializer costs a field object call per value and
a model instance per row, several times the cost of the data itself. The apps' `api_rows.py`
write the same dicts as their serializers (their tests hold them to it) through these helpers,
so every list formats dates exactly as DRF does.
"""

from operator import itemgetter

from rest_framework.fields import DateField, DateTimeField


def moment():
    """DRF's own datetime formatting (current zone, "Z" for UTC, None stays None), with the zone
    looked up once per page rather than once per value."""
    return DateTimeField(default_timezone=DateTimeField().default_timezone()).to_representation


def columns(fields: dict[str, str], *extra: str) -> tuple[str, ...]:
    """The `values()` columns `column_rows` reads for `fields`, plus `extra` ones `computed` reads."""
    return tuple(dict.fromkeys((*fields.values(), *extra)))


def column_rows(values, fields: dict[str, str], *, datetimes=(), dates=(), computed=None):
    """One dict per `values()` row: each output key of `fields` from the column it names.

    Keys in `datetimes` and `dates` are written as DRF writes them. `computed(value)` returns the
    keys worked out from several columns; to keep the serializer's key order, such a key stands
    in `fields` naming one of the columns it is worked out from.
    """
    keys = tuple(fields)
    get = itemgetter(*fields.values())
    when, day = moment(), DateField().to_representation
    convert = [(key, when) for key in datetimes] + [(key, day) for key in dates]
    rows = []
    for value in values:
        row = dict(zip(keys, get(value), strict=True))
        for key, write in convert:
            row[key] = write(row[key])
        if computed is not None:
            row.update(computed(value))
        rows.append(row)
    return rows
