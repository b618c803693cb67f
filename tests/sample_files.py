"""Real sample files for tests that upload one (uploads are checked by content)."""

from __future__ import annotations

import io

from PIL import Image
from pypdf import PdfWriter


def pdf_bytes(writer: PdfWriter) -> bytes:
    """What ``writer`` writes, as bytes."""
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def blank_pdf_writer() -> PdfWriter:
    """A writer holding one blank A4 page (to add something to before writing)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    return writer


PDF = pdf_bytes(blank_pdf_writer())
"""A minimal valid one-page PDF (a stand-in for a stamped scan or a document)."""


def heic_bytes(image: Image.Image, **options: object) -> bytes:
    """``image`` as a real HEIC file, the format iPhones take photos in (libheif's x265)."""
    import pillow_heif

    buffer = io.BytesIO()
    pillow_heif.from_pillow(image).save(buffer, **options)
    return buffer.getvalue()
