"""Real sample files for tests that upload one (uploads are checked by content)."""

from __future__ import annotations

import io
import struct

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


def jpeg(colour: str = "red", gps: bool = False) -> bytes:
    image = Image.new("RGB", (240, 160), colour)
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x8825] = {1: "N", 2: (28.0, 12.0, 0.0)}  # GPSInfo
        image.save(out, "JPEG", exif=exif)
    else:
        image.save(out, "JPEG")
    return out.getvalue()


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def make_mp4() -> bytes:
    """ftyp + moov + mdat: the top-level structure of a real MP4."""
    ftyp = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00isommp42"
    return ftyp + box(b"moov", box(b"mvhd", bytes(100))) + box(b"mdat", bytes(64))


MP4 = make_mp4()
