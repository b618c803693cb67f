"""Uploads: content checks, metadata stripping, decompression bombs, the file store.

Every test file is generated here; no binary fixtures are committed.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    PdfObject,
    TextStringObject,
)

from tests.sample_files import (
    MP4,
    PDF,
    blank_pdf_writer,
    pdf_bytes,
)
from themeday.core.domain import ValidationError
from themeday.formats import uploads
from themeday.formats.uploads import (
    DOCUMENT,
    KINDS,
    MAX_UPLOAD_BYTES,
    MB,
    PHOTO,
    SCAN,
    VIDEO,
    CorruptFile,
    FileStore,
    StoredFile,
    UploadKind,
    check_upload,
    detect_format,
    mime_for,
    prepare,
    sanitise_image,
    thumbnail,
)

# --- generated files -----------------------------------------------------------------


def image_bytes(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def gradient(size: tuple[int, int] = (64, 48)) -> Image.Image:
    """An RGB image whose left half is red and right half blue (orientation is visible)."""
    image = Image.new("RGB", size, (220, 20, 20))
    image.paste((20, 20, 220), (size[0] // 2, 0, size[0], size[1]))
    return image


def make_jpeg_with_gps(orientation: int | None = None) -> bytes:
    exif = Image.Exif()
    exif[271] = "Canon"  # Make
    exif[272] = "EOS 5D"  # Model
    exif[306] = "2026:11:23 09:00:00"  # DateTime
    exif[34853] = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 17.0)}  # GPSInfo
    if orientation is not None:
        exif[274] = orientation
    return image_bytes(
        gradient(),
        "JPEG",
        exif=exif,
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">secret place</x:xmpmeta>',
        comment=b"taken at home",
    )


def make_png(mode: str = "RGB") -> bytes:
    return image_bytes(gradient().convert(mode), "PNG")


def make_docx(*, macros: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"/>',
        )
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>主题日</w:t></w:r></w:p>'
            "</w:body></w:document>",
        )
        if macros:
            archive.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")
    return buffer.getvalue()


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def make_bomb_png(width: int = 20_000, height: int = 20_000) -> bytes:
    """A tiny file whose header claims 400 million pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(bytes(1000)))
        + png_chunk(b"IEND", b"")
    )


JPEG = make_jpeg_with_gps()
PNG = make_png()
DOCX = make_docx()

SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200) + b"This program"
ELF = b"\x7fELF\x02\x01\x01" + bytes(100)
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x00\x00\x00\x00\x00,"


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return buffer.getvalue()


def messages(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return "；".join(error.value.messages)


# --- kinds and detection -------------------------------------------------------------


def test_kinds_and_caps_live_in_one_place() -> None:
    assert SCAN == UploadKind("scan", "盖章扫描件", frozenset({"pdf", "jpeg", "png"}), 20 * MB)
    assert PHOTO.formats == {"jpeg", "png", "heic"} and PHOTO.max_bytes == 15 * MB
    assert DOCUMENT.formats == {"pdf", "docx"} and DOCUMENT.max_bytes == 20 * MB
    assert VIDEO.formats == {"mp4"} and VIDEO.max_bytes == 300 * MB
    assert {k: v.max_bytes for k, v in KINDS.items()} == MAX_UPLOAD_BYTES
    assert UploadKind("x", "测试", {"pdf"}, 10).formats == frozenset({"pdf"})  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        UploadKind("x", "测试", frozenset({"gif"}), 10)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (PDF, "pdf"),
        (JPEG, "jpeg"),
        (PNG, "png"),
        (DOCX, "docx"),
        (MP4, "mp4"),
        (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00isommp42", "mp4"),
        (b"\x00\x00\x00\x18ftypisom", "mp4"),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00", None),  # QuickTime, not MP4
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", "heic"),  # iPhone photo
        (SVG, None),
        (HTML, None),
        (EXE, None),
        (ELF, None),
        (GIF, None),
        (plain_zip(), None),
        (b"PK\x03\x04 not really a zip", None),
        (b"plain text", None),
        (b"", None),
    ],
)
def test_detect_format_by_magic_bytes(data: bytes, expected: str | None) -> None:
    assert detect_format(data) == expected


def test_mime_types() -> None:
    assert mime_for("pdf") == "application/pdf"
    assert mime_for("jpeg") == "image/jpeg"
    assert mime_for("png") == "image/png"
    assert mime_for("mp4") == "video/mp4"
    assert mime_for("docx").endswith("wordprocessingml.document")
    with pytest.raises(ValueError):
        mime_for("exe")


# --- check_upload: accepted ----------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "filename", "kind", "fmt"),
    [
        (PDF, "盖章申报表.pdf", SCAN, "pdf"),
        (PDF, "SCAN.PDF", SCAN, "pdf"),
        (JPEG, "扫描件.jpg", SCAN, "jpeg"),
        (JPEG, "扫描件.JPEG", SCAN, "jpeg"),
        (PNG, "扫描件.png", SCAN, "png"),
        (JPEG, "现场照片.jpg", PHOTO, "jpeg"),
        (PNG, "现场照片.png", PHOTO, "png"),
        (PDF, "总结.pdf", DOCUMENT, "pdf"),
        (DOCX, "总结.docx", DOCUMENT, "docx"),
        (MP4, "活动视频.mp4", VIDEO, "mp4"),
        (PDF, "申报表", SCAN, "pdf"),  # no extension: content decides
        (PDF, "通知 2024.11.23", SCAN, "pdf"),  # ".23" is not an extension
        (PDF, "C:\\Users\\张三\\Desktop\\申报表.pdf", SCAN, "pdf"),
    ],
)
def test_real_files_are_accepted(data: bytes, filename: str, kind: UploadKind, fmt: str) -> None:
    assert check_upload(data, filename, kind) == fmt


# --- check_upload: rejected ----------------------------------------------------------


def test_fake_pdf_text_file_is_rejected_in_chinese() -> None:
    with pytest.raises(ValidationError) as error:
        check_upload("这不是PDF，只是文字".encode(), "申报表.pdf", SCAN)
    assert messages(error) == (
        "文件“申报表.pdf”的内容不是 PDF、JPG 或 PNG 格式，请上传真实的盖章扫描件"
    )


def test_renamed_executable_is_rejected() -> None:
    with pytest.raises(ValidationError) as error:
        check_upload(EXE, "scan.pdf", SCAN)
    assert "“scan.pdf”" in messages(error)
    assert "PDF、JPG 或 PNG" in messages(error)


def test_svg_with_script_named_png_is_rejected() -> None:
    with pytest.raises(ValidationError) as error:
        check_upload(SVG, "photo.png", PHOTO)
    assert messages(error) == "文件“photo.png”的内容不是 JPG、PNG 或 HEIC 格式，请上传真实的照片"


@pytest.mark.parametrize("filename", ["page.html", "scan.pdf", "scan.png"])
def test_html_is_rejected(filename: str) -> None:
    with pytest.raises(ValidationError) as error:
        check_upload(HTML, filename, SCAN)
    assert f"“{filename}”" in messages(error)


@pytest.mark.parametrize("data", [ELF, GIF, plain_zip()])
def test_other_formats_are_rejected(data: bytes) -> None:
    with pytest.raises(ValidationError):
        check_upload(data, "file.pdf", DOCUMENT)


def test_recognised_but_not_allowed_format_names_what_is_accepted() -> None:
    with pytest.raises(ValidationError) as error:
        check_upload(DOCX, "申报表.docx", SCAN)
    assert messages(error) == (
        "文件“申报表.docx”的内容是 DOCX 格式，盖章扫描件只接受 PDF、JPG 或 PNG 格式，"
        "请上传真实的盖章扫描件"
    )


def test_empty_file_is_rejected() -> None:
    with pytest.raises(ValidationError) as error:
        check_upload(b"", "申报表.pdf", SCAN)
    assert "“申报表.pdf”" in messages(error) and "空文件" in messages(error)


def test_over_size_is_rejected_with_a_small_custom_cap() -> None:
    assert len(PDF) < 1000
    tiny = UploadKind("scan", "盖章扫描件", frozenset({"pdf"}), 1000)
    assert check_upload(PDF, "a.pdf", tiny) == "pdf"
    with pytest.raises(ValidationError) as error:
        check_upload(PDF + bytes(1000), "big.pdf", tiny)
    assert "“big.pdf”" in messages(error)
    assert "超过盖章扫描件上限 1000 字节" in messages(error)


def test_over_size_real_21_mb_scan_message() -> None:
    data = b"%PDF-1.4\n" + bytes(21 * MB - 16) + b"\n%%EOF\n"
    with pytest.raises(ValidationError) as error:
        check_upload(data, "x.pdf", SCAN)
    assert messages(error) == (
        "文件“x.pdf”大小为 21.0 MB，超过盖章扫描件上限 20 MB，请压缩后重新上传"
    )


def test_exactly_at_the_cap_is_accepted() -> None:
    assert check_upload(PDF, "a.pdf", UploadKind("scan", "盖章扫描件", {"pdf"}, len(PDF)))  # type: ignore[arg-type]


def test_png_named_pdf_is_rejected() -> None:
    with pytest.raises(ValidationError) as error:
        check_upload(PNG, "申报表.pdf", SCAN)
    assert messages(error) == (
        "文件“申报表.pdf”的扩展名是 .pdf，但内容是 PNG 格式，扩展名与内容不符，请确认文件后重新上传"
    )


@pytest.mark.parametrize("filename", ["scan.exe", "scan.pdf.exe", "scan.html", "scan.jpg"])
def test_real_pdf_with_a_contradicting_extension_is_rejected(filename: str) -> None:
    with pytest.raises(ValidationError) as error:
        check_upload(PDF, filename, SCAN)
    assert "扩展名与内容不符" in messages(error)


def test_pdf_without_eof_marker_is_rejected() -> None:
    truncated = PDF[: PDF.rindex(b"%%EOF")]
    with pytest.raises(ValidationError) as error:
        check_upload(truncated, "申报表.pdf", SCAN)
    assert "“申报表.pdf”不是完整的 PDF 文件" in messages(error)
    # %%EOF far from the end (a PDF header glued to something else) is not enough either
    with pytest.raises(ValidationError):
        check_upload(PDF + bytes(5000), "申报表.pdf", SCAN)


def _name(value: str) -> NameObject:
    return NameObject(value)


def _goto_first_page(writer: PdfWriter) -> DictionaryObject:
    """A harmless action: go to page 1 (so only the key that triggers it is active)."""
    return DictionaryObject(
        {
            _name("/S"): _name("/GoTo"),
            _name("/D"): ArrayObject([writer.pages[0].indirect_reference, _name("/Fit")]),
        }
    )


def _script() -> DictionaryObject:
    return DictionaryObject(
        {_name("/S"): _name("/JavaScript"), _name("/JS"): TextStringObject("app.alert(1);")}
    )


def _annotation(writer: PdfWriter, **entries: PdfObject) -> None:
    annotation = DictionaryObject(
        {
            _name("/Type"): _name("/Annot"),
            _name("/Rect"): ArrayObject([NumberObject(0)] * 4),
            **{_name(f"/{key}"): value for key, value in entries.items()},
        }
    )
    writer.pages[0][_name("/Annots")] = ArrayObject([writer._add_object(annotation)])


def _javascript_name_tree(writer: PdfWriter) -> None:
    tree = DictionaryObject(
        {_name("/Names"): ArrayObject([TextStringObject("x"), writer._add_object(_script())])}
    )
    writer.root_object[_name("/Names")] = DictionaryObject({_name("/JavaScript"): tree})


def _open_action(writer: PdfWriter) -> None:
    writer.root_object[_name("/OpenAction")] = _goto_first_page(writer)


def _page_additional_action(writer: PdfWriter) -> None:
    writer.pages[0][_name("/AA")] = DictionaryObject({_name("/O"): _goto_first_page(writer)})


def _launch(writer: PdfWriter) -> None:
    action = DictionaryObject(
        {_name("/S"): _name("/Launch"), _name("/F"): TextStringObject("calc.exe")}
    )
    _annotation(writer, Subtype=_name("/Link"), A=action)


def _embedded_file(writer: PdfWriter) -> None:
    writer.add_attachment("说明.exe", b"MZ\x90\x00\x03\x00\x00\x00")


def _rich_media(writer: PdfWriter) -> None:
    _annotation(writer, Subtype=_name("/RichMedia"))


def _xfa_form(writer: PdfWriter) -> None:
    writer.root_object[_name("/AcroForm")] = DictionaryObject(
        {_name("/Fields"): ArrayObject(), _name("/XFA"): TextStringObject("<xdp:xdp/>")}
    )


def _orphan_script(writer: PdfWriter) -> None:
    writer._add_object(_script())  # referenced by nothing, still in the file


@pytest.mark.parametrize(
    ("build", "found"),
    [
        (_javascript_name_tree, None),
        (_open_action, "/OpenAction"),
        (_page_additional_action, "/AA"),
        (_launch, "/Launch"),
        (_embedded_file, None),
        (_rich_media, "/RichMedia"),
        (_xfa_form, "/XFA"),
        (_orphan_script, None),
    ],
)
def test_pdf_with_active_content_is_refused(build, found) -> None:
    writer = blank_pdf_writer()
    build(writer)
    with pytest.raises(ValidationError) as error:
        check_upload(pdf_bytes(writer), "申报表.pdf", SCAN)
    text = messages(error)
    assert text.startswith("文件“申报表.pdf”：PDF文件含有脚本、自动动作或嵌入文件")
    assert "已拒收" in text
    if found:
        assert f"（{found}）" in text


def test_an_escaped_active_name_is_still_found() -> None:
    writer = blank_pdf_writer()
    _launch(writer)
    data = pdf_bytes(writer).replace(b"/Launch", b"/L#61unch")
    with pytest.raises(ValidationError, match="已拒收"):
        check_upload(data, "申报表.pdf", SCAN)


def test_an_open_action_that_only_picks_the_first_view_is_accepted() -> None:
    # Scanners and Acrobat's 初始视图 write a destination, not an action: nothing runs.
    writer = blank_pdf_writer()
    page = writer.pages[0].indirect_reference
    writer.root_object[_name("/OpenAction")] = ArrayObject([page, _name("/Fit")])
    assert check_upload(pdf_bytes(writer), "申报表.pdf", SCAN) == "pdf"


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\nMZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(range(256)) * 4 + b"\n%%EOF\n",
        b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
    ],
)
def test_a_pdf_header_on_something_else_is_refused(data: bytes) -> None:
    with pytest.raises(ValidationError) as error:
        check_upload(data, "申报表.pdf", SCAN)
    assert "“申报表.pdf”无法作为 PDF 文件打开" in messages(error)


def test_an_encrypted_pdf_is_refused() -> None:
    writer = blank_pdf_writer()
    writer.encrypt("secret", algorithm="RC4-128")
    with pytest.raises(ValidationError, match="加密的 PDF"):
        check_upload(pdf_bytes(writer), "申报表.pdf", SCAN)


def test_truncated_jpeg_is_rejected() -> None:
    with pytest.raises(ValidationError) as error:
        check_upload(JPEG[: len(JPEG) // 2], "扫描件.jpg", SCAN)
    assert "“扫描件.jpg”无法作为 JPG 图片打开" in messages(error)


def test_png_with_bad_checksum_is_rejected() -> None:
    corrupt = bytearray(PNG)
    idat = corrupt.index(b"IDAT")
    corrupt[idat + 10] ^= 0xFF
    with pytest.raises(ValidationError) as error:
        check_upload(bytes(corrupt), "扫描件.png", SCAN)
    assert "“扫描件.png”" in messages(error)


def test_jpeg_magic_followed_by_garbage_is_rejected() -> None:
    with pytest.raises(ValidationError):
        check_upload(b"\xff\xd8\xff" + b"<script>alert(1)</script>" * 10, "a.jpg", PHOTO)


def test_docx_with_macros_is_rejected() -> None:
    with pytest.raises(ValidationError) as error:
        check_upload(make_docx(macros=True), "总结.docx", DOCUMENT)
    assert "宏" in messages(error)


def test_mp4_header_alone_is_not_a_video() -> None:
    header = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00isommp42" + b"<html>" * 10
    assert detect_format(header) == "mp4"
    with pytest.raises(ValidationError) as error:
        check_upload(header, "活动.mp4", VIDEO)
    assert "不是完整的 MP4 视频" in messages(error)


# --- decompression bombs -------------------------------------------------------------


def test_decompression_bomb_png_header_is_rejected() -> None:
    bomb = make_bomb_png()
    assert len(bomb) < 2000 and detect_format(bomb) == "png"
    with pytest.raises(ValidationError) as error:
        check_upload(bomb, "扫描件.png", SCAN)
    assert "“扫描件.png”的像素数过多" in messages(error)
    with pytest.raises(ValidationError):
        prepare(bomb, "扫描件.png", SCAN)
    with pytest.raises(ValidationError):
        sanitise_image(bomb, "png")
    with pytest.raises(ValidationError):
        thumbnail(bomb)


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_image_over_a_lowered_pixel_limit_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    data = image_bytes(Image.new("RGB", (100, 100), "white"), "PNG")
    assert check_upload(data, "a.png", PHOTO) == "png"
    # 10 000 pixels: above the limit but below twice it, where Pillow only warns
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 6000)
    with pytest.raises(ValidationError) as error:
        check_upload(data, "a.png", PHOTO)
    assert "“a.png”的像素数过多（100×100 像素）" in messages(error)


@pytest.mark.filterwarnings("error::PIL.Image.DecompressionBombWarning")
def test_bomb_warning_raised_as_error_is_still_a_chinese_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = image_bytes(Image.new("RGB", (100, 100), "white"), "JPEG")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 6000)
    with pytest.raises(ValidationError) as error:
        check_upload(data, "a.jpg", PHOTO)
    assert "像素数过多" in messages(error)


# --- sanitising ----------------------------------------------------------------------


def test_jpeg_with_gps_is_stripped_of_all_metadata() -> None:
    original = Image.open(io.BytesIO(JPEG))
    assert original.getexif().get_ifd(0x8825)  # the test file really carries GPS
    assert original.getexif()[271] == "Canon"
    assert "xmp" in original.info and "comment" in original.info

    stored, fmt = prepare(JPEG, "现场照片.jpg", PHOTO)

    assert fmt == "jpeg"
    cleaned = Image.open(io.BytesIO(stored))
    cleaned.load()
    assert cleaned.format == "JPEG"
    assert cleaned.size == (64, 48)
    exif = cleaned.getexif()
    assert len(exif) == 0
    assert not exif.get_ifd(0x8825)
    assert not {"exif", "xmp", "comment"} & set(cleaned.info)
    assert b"Canon" not in stored and b"secret place" not in stored
    assert b"taken at home" not in stored
    assert check_upload(stored, "现场照片.jpg", PHOTO) == "jpeg"


def test_exif_orientation_is_applied_before_stripping() -> None:
    rotated = make_jpeg_with_gps(orientation=6)  # "rotate 90° clockwise to display"
    cleaned = Image.open(io.BytesIO(sanitise_image(rotated, "jpeg")))
    assert cleaned.size == (48, 64)
    assert len(cleaned.getexif()) == 0
    rgb = cleaned.convert("RGB")
    top, bottom = rgb.getpixel((24, 5)), rgb.getpixel((24, 58))
    assert top[0] > 150 and top[2] < 100  # the red half is now on top
    assert bottom[2] > 150 and bottom[0] < 100


def test_png_text_and_exif_chunks_are_dropped() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret place")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>secret xmp</x:xmpmeta>")
    exif = Image.Exif()
    exif[271] = "Canon"
    data = image_bytes(gradient(), "PNG", pnginfo=info, exif=exif, dpi=(300, 300))
    assert b"secret place" in data

    stored, fmt = prepare(data, "扫描件.png", SCAN)

    assert fmt == "png"
    assert b"secret" not in stored and b"Canon" not in stored
    cleaned = Image.open(io.BytesIO(stored))
    assert len(cleaned.getexif()) == 0
    assert not {"Comment", "XML:com.adobe.xmp", "exif", "xmp"} & set(cleaned.info)
    assert round(cleaned.info["dpi"][0]) == 300  # scans keep their print size
    assert cleaned.convert("RGB").tobytes() == gradient().tobytes()  # PNG stays lossless


@pytest.mark.parametrize(
    ("mode", "fmt", "expected_mode"),
    [
        ("CMYK", "jpeg", "RGB"),
        ("L", "jpeg", "L"),
        ("RGBA", "png", "RGBA"),
        ("LA", "png", "LA"),
        ("P", "png", "RGB"),
        ("1", "png", "1"),
        ("L", "png", "L"),
    ],
)
def test_sanitise_handles_image_modes(mode: str, fmt: str, expected_mode: str) -> None:
    source = gradient().convert(mode)
    data = image_bytes(source, fmt.upper())
    cleaned = Image.open(io.BytesIO(sanitise_image(data, fmt)))
    cleaned.load()
    assert cleaned.format == fmt.upper()
    assert cleaned.mode == expected_mode
    assert cleaned.size == source.size


def test_transparent_palette_png_keeps_transparency() -> None:
    source = Image.new("P", (10, 10), 0)
    source.putpalette([255, 255, 255, 0, 0, 0] + [0] * 762)
    data = image_bytes(source, "PNG", transparency=0)
    cleaned = Image.open(io.BytesIO(sanitise_image(data, "png")))
    assert cleaned.mode == "RGBA"
    assert cleaned.getpixel((0, 0))[3] == 0


def test_sanitise_refuses_non_images() -> None:
    with pytest.raises(ValueError):
        sanitise_image(PDF, "pdf")
    with pytest.raises(ValidationError):
        sanitise_image(b"not an image", "jpeg")


def test_prepare_leaves_pdf_and_docx_bytes_untouched() -> None:
    assert prepare(PDF, "申报表.pdf", SCAN) == (PDF, "pdf")
    assert prepare(DOCX, "总结.docx", DOCUMENT) == (DOCX, "docx")


def test_prepare_rejects_what_check_rejects() -> None:
    with pytest.raises(ValidationError):
        prepare(EXE, "scan.pdf", SCAN)


def test_thumbnail_is_a_small_jpeg_without_metadata() -> None:
    big = image_bytes(gradient((1200, 800)).convert("RGBA"), "PNG")
    thumb = Image.open(io.BytesIO(thumbnail(big)))
    assert thumb.format == "JPEG"
    assert thumb.size == (320, 213)
    rotated = Image.open(io.BytesIO(thumbnail(make_jpeg_with_gps(orientation=6), (32, 32))))
    assert rotated.size == (24, 32)
    assert len(rotated.getexif()) == 0


# --- file store ----------------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> FileStore:
    return FileStore(tmp_path / "attachments")


def test_save_and_load_round_trip(store: FileStore) -> None:
    stored = store.save(PDF, "pdf")

    assert isinstance(stored, StoredFile)
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest()
    assert stored.size == len(PDF)
    assert stored.fmt == "pdf" and stored.mime == "application/pdf"
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", stored.stored_name)
    assert store.load(stored.stored_name, stored.sha256) == PDF
    assert store.load(stored.stored_name, stored.sha256.upper()) == PDF

    path = store.root / stored.stored_name[:2] / stored.stored_name
    assert path.read_bytes() == PDF
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in path.parent.iterdir()] == [stored.stored_name]  # no temp file left


def test_stored_names_are_random_and_unrelated_to_the_upload(store: FileStore) -> None:
    data, fmt = prepare(JPEG, "../../etc/张三的照片.jpg", PHOTO)
    first = store.save(data, fmt)
    second = store.save(data, fmt)
    assert first.stored_name != second.stored_name
    assert first.sha256 == second.sha256
    assert first.stored_name.endswith(".jpg") and "张三" not in first.stored_name
    assert store.save(PNG, "png").stored_name.endswith(".png")
    assert store.save(DOCX, "docx").stored_name.endswith(".docx")
    assert store.save(MP4, "mp4").stored_name.endswith(".mp4")
    all_files = [p for p in store.root.rglob("*") if p.is_file()]
    assert all(p.parent.parent == store.root for p in all_files)
    assert all(p.parent.name == p.name[:2] for p in all_files)


def test_save_refuses_unknown_formats(store: FileStore) -> None:
    with pytest.raises(ValueError):
        store.save(EXE, "exe")


def test_failed_write_leaves_no_partial_file(
    store: FileStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_replace(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        store.save(PDF, "pdf")
    assert [p for p in store.root.rglob("*") if p.is_file()] == []


def test_tampered_file_is_detected(store: FileStore) -> None:
    stored = store.save(PDF, "pdf")
    path = store.root / stored.stored_name[:2] / stored.stored_name
    path.write_bytes(PDF.replace(b"595 842", b"999 999"))
    with pytest.raises(CorruptFile) as error:
        store.load(stored.stored_name, stored.sha256)
    assert isinstance(error.value, ValidationError)
    assert "已损坏或被改动" in messages(error)


def test_wrong_or_malformed_checksum_is_refused(store: FileStore) -> None:
    stored = store.save(PDF, "pdf")
    with pytest.raises(CorruptFile):
        store.load(stored.stored_name, hashlib.sha256(b"other").hexdigest())
    with pytest.raises(CorruptFile):
        store.load(stored.stored_name, "")


def test_missing_file_is_reported(store: FileStore) -> None:
    stored = store.save(PDF, "pdf")
    store.delete(stored.stored_name)
    with pytest.raises(CorruptFile) as error:
        store.load(stored.stored_name, stored.sha256)
    assert "不存在" in messages(error)
    store.delete(stored.stored_name)  # deleting twice is fine


@pytest.mark.parametrize(
    "name",
    [
        "../etc/passwd",
        "../../" + "a" * 32 + ".pdf",
        "/etc/passwd",
        "/" + "a" * 32 + ".pdf",
        "..\\..\\" + "a" * 32 + ".pdf",
        "ab\\" + "a" * 32 + ".pdf",
        "ab/" + "a" * 32 + ".pdf",
        "A" * 32 + ".pdf",
        "a" * 32 + ".exe",
        "a" * 32 + ".pdf/..",
        "a" * 31 + ".pdf",
        "a" * 32 + ".pdf\n",
        "申报表.pdf",
        "",
    ],
)
def test_names_it_could_not_have_generated_are_refused(store: FileStore, name: str) -> None:
    (store.root / "aa").mkdir(parents=True)
    (store.root / "aa" / ("a" * 32 + ".pdf")).write_bytes(PDF)
    with pytest.raises(ValidationError) as error:
        store.load(name, hashlib.sha256(PDF).hexdigest())
    assert not isinstance(error.value, CorruptFile)
    assert "无效" in messages(error)
    with pytest.raises(ValidationError):
        store.delete(name)


def test_symlinked_file_is_not_followed(store: FileStore, tmp_path: Path) -> None:
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(PDF)
    name = "b" * 32 + ".pdf"
    (store.root / "bb").mkdir(parents=True)
    (store.root / "bb" / name).symlink_to(secret)
    with pytest.raises(CorruptFile):
        store.load(name, hashlib.sha256(PDF).hexdigest())


def test_module_has_no_streamlit_or_sql() -> None:
    source = Path(uploads.__file__).read_text(encoding="utf-8")
    imports = re.findall(r"^(?:from|import) (\S+)", source, flags=re.MULTILINE)
    assert imports and not {"streamlit", "duckdb", "themeday.storage.db", "themeday.repository"} & {
        name.split(".")[0] if name.startswith(("streamlit", "duckdb")) else name for name in imports
    }
