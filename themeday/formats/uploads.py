"""佐证材料 uploads: check by content, strip image metadata, store under generated names.

A leaf module: no Streamlit, no SQL, filesystem only (DESIGN.md §3 "Uploads").

``st.file_uploader(type=...)`` only checks the extension the browser sent, so every
upload goes through :func:`prepare` (or :func:`check_upload`): the format is detected
from the magic bytes, the size is capped per kind, the extension must agree with the
content, PDFs must parse (pypdf) and carry no scripts, automatic actions or embedded
files, images must decode with Pillow (decompression bombs refused), and JPEG/PNG are
re-encoded without EXIF/GPS/XMP. iPhone photos (HEIC/HEIF) are converted to JPEG where
the kind accepts them (photos), and refused elsewhere with how to take JPG instead.
:class:`FileStore` keeps the bytes under a random name; the user's filename is display
text only.
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import io
import os
import re
import secrets
import struct
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image, ImageOps

from themeday.core.domain import ValidationError

if TYPE_CHECKING:
    import pypdf

MB = 1024 * 1024
"""Sizes are shown and capped in MiB, labelled "MB" as users (and Streamlit) expect."""

MAX_UPLOAD_BYTES: dict[str, int] = {
    "scan": 20 * MB,
    "photo": 15 * MB,
    "document": 20 * MB,
    "video": 300 * MB,
}
"""Per-kind size caps, the one place to change them (keep Streamlit's
``server.maxUploadSize`` at least as large as the biggest one)."""

JPEG_QUALITY = 90
JPEG_SUBSAMPLING = 0
"""4:4:4 chroma: keeps red seals (公章) on scans sharp."""
THUMBNAIL_QUALITY = 85
PDF_EOF_WINDOW = 1024
"""``%%EOF`` must appear in the last this-many bytes of a PDF."""

FORMAT_ORDER = ("pdf", "jpeg", "png", "heic", "docx", "mp4")
"""Every format this module can recognise, in display order."""

FORMAT_LABELS = {
    "pdf": "PDF",
    "jpeg": "JPG",
    "png": "PNG",
    "heic": "HEIC",
    "docx": "DOCX",
    "mp4": "MP4",
}

MIME_TYPES = {
    "pdf": "application/pdf",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "heic": "image/heic",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "mp4": "video/mp4",
}

FORMAT_EXTENSIONS = {
    "pdf": (".pdf",),
    "jpeg": (".jpg", ".jpeg", ".jpe", ".jfif"),
    "png": (".png",),
    "heic": (".heic", ".heif", ".hif"),
    "docx": (".docx",),
    "mp4": (".mp4", ".m4v"),
}
"""Extensions a filename may carry for each format; the first is used when storing."""

IMAGE_FORMATS = frozenset({"jpeg", "png"})
"""Formats stored as images (a HEIC upload is stored as the JPEG it is converted to)."""

HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"})
"""Major brands of the ``ftyp`` box of HEIF stills and sequences (what iPhones write as
``.HEIC``); ``mif1`` is also AVIF's, told apart by its compatible brands."""

HEIC_TO_JPG_HINT = (
    "请在 iPhone 的“设置 → 相机 → 格式”中选择“兼容性最佳”，之后拍摄的照片即为 JPG 格式；"
    "已拍摄的照片请转存为 JPG 后重新上传"
)
"""How a clerk gets JPG photos from an iPhone, for every refusal of a HEIC file."""

MP4_BRANDS = frozenset(
    {
        b"isom",
        b"iso2",
        b"iso3",
        b"iso4",
        b"iso5",
        b"iso6",
        b"mp41",
        b"mp42",
        b"avc1",
        b"M4V ",
        b"M4VP",
        b"mmp4",
        b"MSNV",
        b"dash",
        b"f4v ",
    }
)
"""Major brands of the ``ftyp`` box accepted as MP4 (not QuickTime ``qt  ``, not HEIF)."""

PDF_ACTIVE_NAMES = frozenset(
    {
        "/JavaScript",
        "/JS",
        "/OpenAction",
        "/AA",
        "/Launch",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/RichMedia",
        "/XFA",
        "/SubmitForm",
        "/ImportData",
    }
)
"""PDF names (as keys, or as an action's ``/S`` or an object's ``/Type``/``/Subtype``)
that mean a script, an action run on opening or on an event, a program to launch, an
embedded file or Flash/3D media, or a form that sends data: none belongs in a scan or
a report, so a PDF with any of them is refused."""

_PDF_MAGIC = b"%PDF-"
_JPEG_MAGIC = b"\xff\xd8\xff"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_ZIP_MAGIC = b"PK\x03\x04"

_PILLOW_FORMATS = {"jpeg": "JPEG", "png": "PNG"}
_EXTENSION_RE = re.compile(r"\.(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{1,5}")
_STORED_EXTENSIONS = "|".join(re.escape(exts[0]) for exts in FORMAT_EXTENSIONS.values())
_STORED_NAME_RE = re.compile(r"[0-9a-f]{32}(?:" + _STORED_EXTENSIONS + ")")
_SHA256_RE = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class UploadKind:
    """A kind of 佐证材料 with the formats it accepts and its size cap."""

    name: str
    label: str
    formats: frozenset[str]
    max_bytes: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "formats", frozenset(self.formats))
        unknown = self.formats - set(FORMAT_ORDER)
        if unknown or not self.formats:
            raise ValueError(f"unknown or empty formats for {self.name!r}: {sorted(unknown)}")
        if self.max_bytes <= 0:
            raise ValueError(f"max_bytes must be positive for {self.name!r}")


SCAN = UploadKind("scan", "盖章扫描件", frozenset({"pdf", "jpeg", "png"}), MAX_UPLOAD_BYTES["scan"])
PHOTO = UploadKind("photo", "照片", frozenset({"jpeg", "png", "heic"}), MAX_UPLOAD_BYTES["photo"])
DOCUMENT = UploadKind("document", "文档", frozenset({"pdf", "docx"}), MAX_UPLOAD_BYTES["document"])
VIDEO = UploadKind("video", "视频", frozenset({"mp4"}), MAX_UPLOAD_BYTES["video"])

KINDS: dict[str, UploadKind] = {k.name: k for k in (SCAN, PHOTO, DOCUMENT, VIDEO)}
"""Kinds by ``name`` (the value stored in ``attachment.kind``)."""


@dataclass(frozen=True)
class FileRule:
    """What one file picker accepts: the formats' names as users know them, the
    extensions the browser may offer (without the dot) and the size cap per file."""

    labels: tuple[str, ...]
    extensions: tuple[str, ...]
    max_bytes: int

    @property
    def max_mb(self) -> int:
        """The cap in whole MB, for ``st.file_uploader(max_upload_size=...)``."""
        return -(-self.max_bytes // MB)

    def hint(self, multiple: bool = False) -> str:
        """The formats and the cap in Chinese: "PDF、JPG 或 PNG，不超过 20 MB"."""
        names = self.labels
        listed = names[0] if len(names) == 1 else "、".join(names[:-1]) + " 或 " + names[-1]
        if multiple:
            return f"{listed}，可多选，每个不超过 {self.max_mb} MB"
        return f"{listed}，不超过 {self.max_mb} MB"


def file_rule(kind: UploadKind) -> FileRule:
    """The file picker's rule for a kind of 佐证材料 (its formats and its own cap)."""
    formats = [f for f in FORMAT_ORDER if f in kind.formats]
    extensions = tuple(ext.lstrip(".") for f in formats for ext in FORMAT_EXTENSIONS[f])
    return FileRule(tuple(FORMAT_LABELS[f] for f in formats), extensions, kind.max_bytes)


SCAN_FILE = file_rule(SCAN)
"""The file picker for a stamped 申报表 scan."""


@dataclass(frozen=True)
class StoredFile:
    """Where :meth:`FileStore.save` put the bytes, and how to check them later."""

    stored_name: str
    sha256: str
    size: int
    fmt: str
    mime: str


class CorruptFile(ValidationError):
    """A stored attachment is missing or no longer matches its recorded SHA-256."""


_SAVE_REASONS = {
    errno.ENOSPC: "存储空间已满",
    errno.EDQUOT: "存储配额已用完",
    errno.EACCES: "没有写入存储目录的权限",
    errno.EPERM: "没有写入存储目录的权限",
    errno.EROFS: "存储目录为只读",
    errno.EIO: "磁盘读写错误",
    errno.ENOENT: "存储目录不存在",
}


def save_failure_reason(exc: OSError) -> str:
    """Why a file could not be written, in Chinese (the system's own words otherwise)."""
    return _SAVE_REASONS.get(exc.errno or 0) or exc.strerror or type(exc).__name__


class FileNotSaved(ValidationError):
    """A checked upload could not be written to disk (文件保存失败), with the reason."""

    def __init__(self, name: str, exc: OSError):
        self.name = name
        self.reason = save_failure_reason(exc)
        super().__init__(
            f"文件保存失败：“{name}”未能写入存储（{self.reason}）。"
            "未保存任何内容，请稍后重试或联系管理员。"
        )


# --- detection ---------------------------------------------------------------------


def detect_format(head: bytes) -> str | None:
    """Recognise a file by its content: ``pdf``, ``jpeg``, ``png``, ``mp4``, ``docx`` or None.

    Pass the whole file: a DOCX is recognised by reading the ZIP central directory
    (which sits at the end) and finding ``word/document.xml``. Anything else (SVG,
    HTML, executables, plain ZIP, GIF, QuickTime, AVIF, ...) gives None. HEIF/HEIC
    photos give ``heic``.
    """
    if head.startswith(_PDF_MAGIC):
        return "pdf"
    if head.startswith(_JPEG_MAGIC):
        return "jpeg"
    if head.startswith(_PNG_MAGIC):
        return "png"
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in MP4_BRANDS:
        return "mp4"
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        (box_size,) = struct.unpack_from(">I", head, 0)
        compatible = head[16 : max(16, min(box_size, 256))]
        return None if b"avif" in compatible or b"avis" in compatible else "heic"
    if head.startswith(_ZIP_MAGIC) and "word/document.xml" in _zip_names(head):
        return "docx"
    return None


def _zip_names(data: bytes) -> set[str]:
    """Member names of a ZIP archive (central directory only, nothing decompressed)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return set()


def mime_for(fmt: str) -> str:
    """The MIME type to serve a stored file of format ``fmt`` with."""
    try:
        return MIME_TYPES[fmt]
    except KeyError:
        raise ValueError(f"unknown format: {fmt!r}") from None


# --- checking ----------------------------------------------------------------------


def check_upload(data: bytes, filename: str, kind: UploadKind) -> str:
    """Check an upload by content and return its format (``"pdf"``, ``"jpeg"``, ...).

    Raises :class:`ValidationError` with a Chinese message naming the file when it is
    empty, over ``kind.max_bytes``, not one of ``kind.formats`` (by magic bytes), named
    with an extension that contradicts its content, or broken (a PDF without
    ``%%EOF``, one pypdf cannot read or one with scripts, automatic actions or embedded
    files, an image Pillow cannot decode or one with too many pixels, a DOCX with
    macros, an MP4 without a valid box structure).
    """
    name = _display_name(filename)
    size = len(data)
    if size == 0:
        raise ValidationError(f"文件“{name}”是空文件（0 字节），请重新选择文件")
    if size > kind.max_bytes:
        raise ValidationError(
            f"文件“{name}”大小为 {_format_size(size)}，"
            f"超过{kind.label}上限 {_format_size(kind.max_bytes, trim=True)}，请压缩后重新上传"
        )
    accepted = _join_or([FORMAT_LABELS[f] for f in FORMAT_ORDER if f in kind.formats])
    fmt = detect_format(data)
    if fmt is None:
        raise ValidationError(f"文件“{name}”的内容不是 {accepted} 格式，请上传真实的{kind.label}")
    if fmt == "heic" and fmt not in kind.formats:
        raise ValidationError(
            f"文件“{name}”是 iPhone 的 HEIC 格式照片，{kind.label}只接受 {accepted} 格式。"
            + HEIC_TO_JPG_HINT
        )
    if fmt not in kind.formats:
        raise ValidationError(
            f"文件“{name}”的内容是 {FORMAT_LABELS[fmt]} 格式，"
            f"{kind.label}只接受 {accepted} 格式，请上传真实的{kind.label}"
        )
    extension = _extension(name)
    if extension is not None and extension not in FORMAT_EXTENSIONS[fmt]:
        raise ValidationError(
            f"文件“{name}”的扩展名是 {extension}，但内容是 {FORMAT_LABELS[fmt]} 格式，"
            "扩展名与内容不符，请确认文件后重新上传"
        )
    _check_structure(data, fmt, name)
    return fmt


def _check_structure(data: bytes, fmt: str, name: str) -> None:
    """Look past the magic bytes: the file must be a whole, sane file of ``fmt``."""
    if fmt == "pdf":
        if b"%%EOF" not in data[-PDF_EOF_WINDOW:]:
            raise ValidationError(
                f"文件“{name}”不是完整的 PDF 文件（可能已损坏或未保存完整），请重新导出后上传"
            )
        _check_pdf(data, name)
    elif fmt in IMAGE_FORMATS:
        _check_image(data, fmt, name)
    elif fmt == "heic":
        _open_heic(data, name).close()
    elif fmt == "docx":
        names = _zip_names(data)
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            raise ValidationError(
                f"文件“{name}”含有宏代码，请在 Word 中另存为普通文档（.docx）后上传"
            )
    elif fmt == "mp4" and not _mp4_boxes_valid(data):
        raise ValidationError(
            f"文件“{name}”不是完整的 MP4 视频（可能已损坏或未保存完整），请重新导出后上传"
        )


def _check_pdf(data: bytes, name: str) -> None:
    """Parse a PDF with pypdf and refuse one that is not a PDF with pages, is encrypted
    (it cannot be looked into), or carries active content (:data:`PDF_ACTIVE_NAMES`)."""
    # pypdf is imported where PDFs are checked, not by every page that shows a file.
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ValidationError(
                f"文件“{name}”是加密的 PDF，无法检查其内容，请去除密码后重新导出再上传"
            )
        pages = len(reader.pages)
        active = _pdf_active_name(reader)
    except ValidationError:
        raise
    except Exception:
        # pypdf raises many kinds of errors on garbage (its own, ValueError, KeyError,
        # RecursionError...): whatever it is, the file is not a PDF we can vouch for.
        pages, active = 0, None
    if not pages:
        raise ValidationError(
            f"文件“{name}”无法作为 PDF 文件打开（可能已损坏，或只是改成了 PDF 的样子），"
            "请重新导出后上传"
        )
    if active:
        raise ValidationError(
            f"文件“{name}”：PDF文件含有脚本、自动动作或嵌入文件（{active}），已拒收。"
            "请用扫描软件或“打印为PDF”重新生成后上传"
        )


def _pdf_active_name(reader: pypdf.PdfReader) -> str | None:
    """The first active-content name met in any object of the file, or None.

    Every object of the cross-reference table is read (objects nothing points to as
    well), and the trailer; names are compared as pypdf decoded them, so an escaped
    ``/J#61vaScript`` is still ``/JavaScript``.
    """
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    pending: list[object] = [reader.trailer]
    for generation, numbers in reader.xref.items():
        pending += [IndirectObject(number, generation, reader) for number in numbers]
    pending += [IndirectObject(number, 0, reader) for number in reader.xref_objStm]
    seen: set[tuple[int, int]] = set()
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            for key, value in item.items():
                if key in PDF_ACTIVE_NAMES and not _is_open_view(key, value):
                    return str(key)
                if key in ("/S", "/Type", "/Subtype") and value in PDF_ACTIVE_NAMES:
                    return str(value)
                pending.append(value)
        elif isinstance(item, ArrayObject):
            pending.extend(item)
    return None


def _is_open_view(key: str, value: object) -> bool:
    """An ``/OpenAction`` that is a destination (page and zoom to open at, as scanners
    and Acrobat's initial view write it) runs nothing; an action dictionary does."""
    from pypdf.generic import ArrayObject, IndirectObject

    if key != "/OpenAction":
        return False
    if isinstance(value, IndirectObject):
        value = value.get_object()
    return isinstance(value, ArrayObject)


def _check_image(data: bytes, fmt: str, name: str) -> None:
    """Verify a JPEG/PNG with Pillow, then decode it fully (catches truncation)."""
    broken = _broken_message(name, FORMAT_LABELS[fmt])
    with _open_image(data, name, FORMAT_LABELS[fmt]) as image:
        if image.format != _PILLOW_FORMATS[fmt]:
            raise ValidationError(broken)
        try:
            image.verify()
        except Exception:
            raise ValidationError(broken) from None
    with _open_image(data, name, FORMAT_LABELS[fmt]) as image:
        try:
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ValidationError(_bomb_message(name)) from None
        except Exception:
            raise ValidationError(broken) from None


def _open_heic(data: bytes, name: str) -> Image.Image:
    """Open a HEIC photo's primary image, lazily (decoded on ``load``), as a Pillow image.

    Refused with :data:`HEIC_TO_JPG_HINT` when the HEIF library is not installed, as a
    broken file when it cannot be parsed, and as a bomb when it has too many pixels.
    """
    try:
        # Imported where a HEIC arrives, not by every page that checks an upload.
        import pillow_heif
    except ImportError:
        raise ValidationError(
            f"文件“{name}”是 iPhone 的 HEIC 格式照片，本系统暂不能转换。" + HEIC_TO_JPG_HINT
        ) from None
    broken = _broken_message(name, "HEIC")
    try:
        heif = pillow_heif.open_heif(io.BytesIO(data), convert_hdr_to_8bit=True)
        width, height = heif.size
    except Exception:
        raise ValidationError(broken) from None
    limit = Image.MAX_IMAGE_PIXELS
    if limit is not None and width * height > limit:
        raise ValidationError(_bomb_message(name, (width, height)))
    try:
        return heif.to_pillow()
    except Exception:
        raise ValidationError(broken) from None


def heic_to_jpeg(data: bytes, filename: str) -> bytes:
    """Convert a checked HEIC photo to a JPEG with no metadata (its ICC profile kept).

    libheif applies the photo's rotation and mirroring while decoding, so the pixels
    come out upright; HDR is reduced to 8 bits. Raises :class:`ValidationError` when the
    file cannot be decoded.
    """
    name = _display_name(filename)
    with _open_heic(data, name) as source:
        try:
            source.load()
            icc = source.info.get("icc_profile")
            image = _to_jpeg_mode(source.copy())
        except Exception:
            raise ValidationError(_broken_message(name, "HEIC")) from None
    image.info = {}
    options: dict[str, object] = {}
    if isinstance(icc, bytes) and _icc_matches(icc, image.mode):
        options["icc_profile"] = icc
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY, subsampling=JPEG_SUBSAMPLING, **options)
    return out.getvalue()


def stored_file_name(filename: str, fmt: str) -> str:
    """The name to show for a file stored as ``fmt``: a converted ``IMG_0001.HEIC``
    becomes ``IMG_0001.jpg`` (downloads open in what the content is)."""
    name = Path(filename or "").name
    extension = _extension(name)
    if extension is None or extension in FORMAT_EXTENSIONS[fmt]:
        return name
    return name[: -len(extension)] + FORMAT_EXTENSIONS[fmt][0]


def _open_image(data: bytes, name: str | None, label: str = "") -> Image.Image:
    """``Image.open`` that turns decompression bombs and garbage into Chinese errors.

    Pillow raises ``DecompressionBombError`` above twice ``Image.MAX_IMAGE_PIXELS`` and
    only warns between one and two times; the explicit pixel check below refuses that
    band too without touching the process-wide warning filters (Streamlit serves
    sessions from threads). A warning turned into an error by the caller's filters is
    caught as well. ``name`` is the file to name in messages (None: "该图片").
    """
    try:
        image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(_bomb_message(name)) from None
    except Exception:
        raise ValidationError(_broken_message(name, label)) from None
    limit = Image.MAX_IMAGE_PIXELS
    if limit is not None and image.width * image.height > limit:
        width, height = image.size
        image.close()
        raise ValidationError(_bomb_message(name, (width, height)))
    return image


def _subject(name: str | None) -> str:
    return f"文件“{name}”" if name else "该图片"


def _broken_message(name: str | None, label: str = "") -> str:
    what = f" {label} 图片" if label else "图片"
    return f"{_subject(name)}无法作为{what}打开（可能已损坏），请重新扫描或导出后上传"


def _bomb_message(name: str | None, size: tuple[int, int] | None = None) -> str:
    limit = Image.MAX_IMAGE_PIXELS
    dims = f"（{size[0]}×{size[1]} 像素）" if size else ""
    cap = f" {limit / 10_000:.0f} 万像素" if limit else "允许的"
    return (
        f"{_subject(name)}的像素数过多{dims}，超过{cap}上限，可能是异常文件，请缩小尺寸后重新上传"
    )


def _mp4_boxes_valid(data: bytes) -> bool:
    """True when the top-level ISO-BMFF boxes tile the file and include ``moov``."""
    pos, seen_moov, end = 0, False, len(data)
    while pos < end:
        if end - pos < 8:
            return False
        size, box_type = struct.unpack_from(">I4s", data, pos)
        header = 8
        if size == 1:
            if end - pos < 16:
                return False
            (size,) = struct.unpack_from(">Q", data, pos + 8)
            header = 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            return False
        if not all(0x20 <= c < 0x7F for c in box_type):
            return False
        if pos == 0 and box_type != b"ftyp":
            return False
        seen_moov = seen_moov or box_type == b"moov"
        pos += size
    return seen_moov


# --- re-encoding -------------------------------------------------------------------


def sanitise_image(data: bytes, fmt: str) -> bytes:
    """Re-encode a JPEG/PNG in the same format with no metadata at all.

    EXIF (camera, GPS, time), XMP, comments and PNG text chunks are dropped; the EXIF
    orientation is applied to the pixels first. Kept: the ICC profile when it matches
    the output colour space, and the DPI (scans print at their real size). JPEG output
    is RGB or greyscale at quality 90 (alpha flattened onto white, CMYK converted).
    Raises :class:`ValidationError` when the data cannot be decoded.
    """
    return _reencode(data, fmt, None)


def _reencode(data: bytes, fmt: str, name: str | None) -> bytes:
    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"not an image format: {fmt!r}")
    with _open_image(data, name) as source:
        try:
            image = ImageOps.exif_transpose(source)
            icc = source.info.get("icc_profile")
            dpi = source.info.get("dpi")
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ValidationError(_bomb_message(name)) from None
        except Exception:
            raise ValidationError(_broken_message(name)) from None
    image = _to_jpeg_mode(image) if fmt == "jpeg" else _to_png_mode(image)
    image.info = {}  # Pillow falls back to im.info for comments, ICC, transparency
    options: dict[str, object] = {}
    if isinstance(icc, bytes) and _icc_matches(icc, image.mode):
        options["icc_profile"] = icc
    if _valid_dpi(dpi):
        options["dpi"] = (round(float(dpi[0])), round(float(dpi[1])))
    out = io.BytesIO()
    if fmt == "jpeg":
        image.save(out, "JPEG", quality=JPEG_QUALITY, subsampling=JPEG_SUBSAMPLING, **options)
    else:
        image.save(out, "PNG", **options)
    return out.getvalue()


def thumbnail(data: bytes, size: tuple[int, int] = (320, 320)) -> bytes:
    """A small JPEG preview of an image (orientation applied, no metadata)."""
    name = None
    with _open_image(data, name) as source:
        try:
            source.draft("RGB", (max(size), max(size)))
            image = ImageOps.exif_transpose(source)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ValidationError(_bomb_message(name)) from None
        except Exception:
            raise ValidationError(_broken_message(name)) from None
    image = _to_jpeg_mode(image)
    image.thumbnail(size)
    image.info = {}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=THUMBNAIL_QUALITY)
    return out.getvalue()


def _flatten(image: Image.Image) -> Image.Image:
    """Composite an image with transparency onto white, giving RGB."""
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, "white")
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (
        image.mode == "P" and "transparency" in image.info
    )


def _to_jpeg_mode(image: Image.Image) -> Image.Image:
    if image.mode in ("L", "RGB"):
        return image
    if _has_alpha(image):
        return _flatten(image)
    if image.mode in ("1", "I;16", "I;16B", "I;16L", "I", "F"):
        return image.convert("L")
    return image.convert("RGB")


def _to_png_mode(image: Image.Image) -> Image.Image:
    if image.mode in ("1", "L", "LA", "RGB", "RGBA", "I;16"):
        return image
    if image.mode in ("P", "PA"):
        return image.convert("RGBA" if _has_alpha(image) else "RGB")
    return image.convert("RGB")


def _icc_matches(icc: bytes, mode: str) -> bool:
    """True when the ICC profile's colour space (header bytes 16-20) fits ``mode``."""
    space = icc[16:20]
    if mode in ("RGB", "RGBA"):
        return space == b"RGB "
    if mode in ("1", "L", "LA", "I;16"):
        return space == b"GRAY"
    return False


def _valid_dpi(dpi: object) -> bool:
    try:
        x, y = dpi  # type: ignore[misc]
        return 10 <= float(x) <= 10_000 and 10 <= float(y) <= 10_000
    except (TypeError, ValueError):
        return False


def prepare(data: bytes, filename: str, kind: UploadKind) -> tuple[bytes, str]:
    """Check an upload and return ``(bytes_to_store, fmt)``; images come back sanitised,
    a HEIC photo as a JPEG (``fmt`` is then ``"jpeg"``).

    The caller stores the bytes with :meth:`FileStore.save` and keeps ``filename`` only
    as display text (see :func:`stored_file_name`).
    """
    fmt = check_upload(data, filename, kind)
    if fmt == "heic":
        return heic_to_jpeg(data, filename), "jpeg"
    if fmt in IMAGE_FORMATS:
        data = _reencode(data, fmt, _display_name(filename))
    return data, fmt


# --- storage -----------------------------------------------------------------------


class FileStore:
    """Attachments on disk under ``root/<first 2 chars>/<32 hex chars>.<ext>``.

    Names are random (``secrets.token_hex(16)``), never derived from the user's
    filename; writes are atomic (temp file, fsync, ``os.replace``) with mode 0o640.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def save(self, data: bytes, fmt: str) -> StoredFile:
        """Store ``data`` (already checked) and return its generated name and SHA-256."""
        mime = mime_for(fmt)
        extension = FORMAT_EXTENSIONS[fmt][0]
        while True:
            stored_name = secrets.token_hex(16) + extension
            target = self._path(stored_name)
            if not target.exists():
                break
        target.parent.mkdir(mode=0o750, parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".upload-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temp, 0o640)
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        _fsync_dir(target.parent)
        return StoredFile(
            stored_name=stored_name,
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            fmt=fmt,
            mime=mime,
        )

    def load(self, stored_name: str, sha256: str) -> bytes:
        """Read a stored file back, refusing it unless its SHA-256 still matches.

        Raises :class:`ValidationError` for a name :meth:`save` could not have
        generated (path traversal and the like) and :class:`CorruptFile` when the file
        is missing or its content changed.
        """
        path = self._path(stored_name)
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(fd, "rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            raise CorruptFile(
                f"附件文件“{stored_name}”不存在，可能已被删除，请联系管理员或重新上传"
            ) from None
        except OSError:
            raise CorruptFile(f"附件文件“{stored_name}”无法读取，请联系管理员或重新上传") from None
        expected = sha256.strip().lower()
        actual = hashlib.sha256(data).hexdigest()
        if not _SHA256_RE.fullmatch(expected) or not hmac.compare_digest(actual, expected):
            raise CorruptFile(
                f"附件文件“{stored_name}”已损坏或被改动（校验值不符），请联系管理员或重新上传"
            )
        return data

    def missing(self, stored_name: str) -> str | None:
        """Why a stored file cannot be read, checked cheaply (no hash), or None.

        For a page that offers the file: a download reads and checks it in full
        (:meth:`load`) only when clicked.
        """
        try:
            path = self._path(stored_name)
        except ValidationError as exc:
            return str(exc)
        if not path.is_file():
            return f"附件文件“{stored_name}”不存在，可能已被删除，请联系管理员或重新上传"
        return None

    def delete(self, stored_name: str) -> None:
        """Remove a stored file (no error when it is already gone)."""
        self._path(stored_name).unlink(missing_ok=True)

    def _path(self, stored_name: str) -> Path:
        """The path for a generated name; any other name is refused."""
        if not isinstance(stored_name, str) or not _STORED_NAME_RE.fullmatch(stored_name):
            raise ValidationError(f"附件存储名“{stored_name}”无效，已拒绝访问")
        return self.root / stored_name[:2] / stored_name


def _fsync_dir(directory: Path) -> None:
    """Flush a directory entry after ``os.replace`` (best effort; not on Windows)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --- helpers -----------------------------------------------------------------------


def _display_name(filename: str) -> str:
    """The base name of what the browser sent, shortened for messages."""
    base = re.split(r"[\\/]", filename or "")[-1].strip()
    base = "".join(c for c in base if c.isprintable())
    if not base:
        return "（未命名）"
    return base if len(base) <= 80 else base[:38] + "…" + base[-38:]


def _extension(name: str) -> str | None:
    """The lower-case extension, or None when the name has no real one.

    A suffix counts only if it is 1-5 ASCII letters/digits with at least one letter,
    so "通知 2024.11.23" has none and "scan.PDF" has ".pdf".
    """
    dot = name.rfind(".")
    if dot <= 0:
        return None
    suffix = name[dot:]
    return suffix.lower() if _EXTENSION_RE.fullmatch(suffix) else None


def _format_size(size: int, *, trim: bool = False) -> str:
    """25.3 MB, 12.5 KB or 100 字节; ``trim`` writes a whole cap as "20 MB"."""
    if size >= MB:
        value = size / MB
        return f"{value:.0f} MB" if trim and size % MB == 0 else f"{value:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size} 字节"


def _join_or(items: list[str]) -> str:
    """["PDF", "JPG", "PNG"] → "PDF、JPG 或 PNG"."""
    if len(items) <= 1:
        return "".join(items)
    return "、".join(items[:-1]) + " 或 " + items[-1]
