"""Many rows of a Word table written as XML text, copied from one model row.

python-docx builds a table cell by cell through Python objects, a millisecond or so a
cell; a plan of 40,000 activities has 280,000 cells. So the document is laid out with
python-docx as usual, with the table's header and one *model row* whose cells hold
:func:`markers` instead of text; :func:`save` then writes the document with that row
repeated once per data row, each copy with its texts set. The copies keep everything
the model row has (widths, alignment, fonts, borders). Text is stripped of characters
XML cannot hold; line breaks and tabs become Word breaks and tabs as in ``add_run``.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["markers", "save"]

_MARK = "@@themeday-cell-{}@@"
_MARK_RUN = re.compile(rb"<w:t>@@themeday-cell-(\d+)@@</w:t>")
_ILLEGAL_XML_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BREAKS = re.compile(r"[\r\n\t]")  # as python-docx add_run: each CR or LF a break
_DOCUMENT = "word/document.xml"
_CHUNK_ROWS = 500


def markers(count: int) -> list[str]:
    """The texts to put in the model row's cells, one per column, left to right."""
    return [_MARK.format(i) for i in range(count)]


def _run_text(text: str) -> str:
    """``text`` as the ``<w:t>`` of a run: escaped, breaks and tabs as Word elements."""
    text = _ILLEGAL_XML_CHARS.sub("", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if _BREAKS.search(text):
        open_t = '<w:t xml:space="preserve">'
        text = _BREAKS.sub(
            lambda m: f"</w:t>{'<w:tab/>' if m.group(0) == chr(9) else '<w:br/>'}{open_t}",
            text,
        )
    return f'<w:t xml:space="preserve">{text}</w:t>'


def _model_row(xml: bytes) -> tuple[int, int, list[bytes], list[int]]:
    """Where the model row starts and ends, its XML split around the markers, and the
    column of each marker."""
    first = _MARK_RUN.search(xml)
    if first is None:
        raise ValueError("the document has no model row")
    start = max(xml.rfind(b"<w:tr>", 0, first.start()), xml.rfind(b"<w:tr ", 0, first.start()))
    end = xml.find(b"</w:tr>", first.end()) + len(b"</w:tr>")
    row = xml[start:end]
    parts: list[bytes] = []
    columns: list[int] = []
    position = 0
    for found in _MARK_RUN.finditer(row):
        parts.append(row[position : found.start()])
        columns.append(int(found.group(1)))
        position = found.end()
    parts.append(row[position:])
    return start, end, parts, columns


def save(document: Any, rows: Iterable[Sequence[str]], compresslevel: int = 6) -> bytes:
    """``document`` as docx bytes, its model row replaced by one copy per row of ``rows``.

    Without a model row (no :func:`markers` in the document) ``rows`` must be empty.
    """
    buffer = io.BytesIO()
    document.save(buffer)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(buffer) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename != _DOCUMENT or _MARK_RUN.search(data) is None:
                target.writestr(info.filename, data)
                continue
            start, end, parts, columns = _model_row(data)
            texts: dict[str, str] = {}
            with target.open(info.filename, "w") as stream:
                stream.write(data[:start])
                pending: list[str] = []
                head = [p.decode("utf-8") for p in parts]
                for values in rows:
                    pieces = [head[0]]
                    for column, tail in zip(columns, head[1:], strict=True):
                        value = str(values[column])
                        text = texts.get(value)
                        if text is None:
                            text = texts[value] = _run_text(value)
                        pieces.append(text)
                        pieces.append(tail)
                    pending.append("".join(pieces))
                    if len(pending) >= _CHUNK_ROWS:
                        stream.write("".join(pending).encode("utf-8"))
                        pending = []
                stream.write("".join(pending).encode("utf-8"))
                stream.write(data[end:])
    return out.getvalue()
