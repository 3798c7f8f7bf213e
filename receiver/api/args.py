"""Query-string parsing shared by the views: a marshmallow schema in, a 400 naming each bad parameter out."""

from __future__ import annotations

import logging
from typing import Any

from flask import request
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from lineagelens.receiver.errors import BadRequest, validation_errors

log = logging.getLogger(__name__)


# The bound for integers a client sends (offsets, versions): Python parses any length of digits, databases
# take 64 bits at most (an offset past that was a 500). 2**31 - 1 fits every store's integer type.
MAX_INT = 2**31 - 1


class PageArgs(Schema):
    """``limit`` (default 100, at most 1000) and ``offset`` (default 0, at most 2**31 - 1); other parameters
    are ignored."""

    class Meta:
        unknown = EXCLUDE

    limit = fields.Integer(load_default=100, validate=validate.Range(min=0, max=1000))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_INT))


def load_args(schema: Schema) -> dict[str, Any]:
    """The request's query parameters loaded with ``schema``; a bad one is a 400 naming it. A ``List``
    field takes every value of a repeated parameter (``?ns=a&ns=b``)."""
    raw: dict[str, Any] = request.args.to_dict()
    for name, field in schema.fields.items():
        key = field.data_key or name
        if isinstance(field, fields.List) and key in request.args:
            raw[key] = request.args.getlist(key)
    try:
        loaded: dict[str, Any] = schema.load(raw)
    except ValidationError as exc:
        messages = exc.normalized_messages()
        raise BadRequest(f"invalid query parameter: {', '.join(sorted(messages))}",
                         validation_errors(messages, root="")) from exc
    return loaded
