"""Request parsers of the API (a module of its own: DRF's settings import it early)."""

from __future__ import annotations

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, except that a body nested deeper than Python's decoder can follow is a
    400 like any other malformed JSON: the decoder raises ``RecursionError``, which is not the
    ``ValueError`` DRF turns into a parse error, so it would otherwise surface as a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None
