"""iPhone photos (HEIC): converted to JPEG where photos are taken, refused elsewhere.

Every HEIC here is a real file written by libheif (through pillow-heif) in the test.
"""

from __future__ import annotations

import io
import sys

import pytest
from PIL import Image

from tests.helpers import carry_out, fresh
from tests.sample_files import heic_bytes
from themeday.core.domain import ValidationError
from themeday.formats import uploads
from themeday.formats.uploads import (
    HEIC_TO_JPG_HINT,
    PHOTO,
    SCAN,
    check_upload,
    detect_format,
    prepare,
    stored_file_name,
)
from themeday.services import activities
from themeday.services.activities import Upload
from themeday.services.file_audit import checked_upload

HINT = "设置 → 相机 → 格式"


def photo(colour: str = "seagreen", size: tuple[int, int] = (160, 120)) -> Image.Image:
    return Image.new("RGB", size, colour)


def test_a_real_heic_is_recognised_by_its_content() -> None:
    data = heic_bytes(photo())
    assert data[4:12] == b"ftypheic"
    assert detect_format(data) == "heic"


def test_avif_sharing_heifs_brand_is_not_taken_for_a_photo() -> None:
    # an AVIF file's ftyp: major brand mif1, compatible brands naming avif
    avif = b"\x00\x00\x00\x20ftypmif1\x00\x00\x00\x00mif1avifmiaf" + b"\x00" * 16
    assert detect_format(avif) is None


def test_a_heic_photo_is_stored_as_a_jpeg_without_metadata() -> None:
    exif = Image.Exif()
    exif[0x010F] = "Apple"  # Make
    exif[0x0132] = "2023:10:09 09:45:12"  # DateTime
    data = heic_bytes(photo("red"), exif=exif.tobytes())
    assert b"Apple" in data

    stored, fmt = prepare(data, "IMG_0001.HEIC", PHOTO)

    assert fmt == "jpeg" and stored.startswith(b"\xff\xd8\xff")
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG" and image.size == (160, 120)
        assert not image.getexif()
        red, green, blue = image.convert("RGB").getpixel((80, 60))
        assert red > 200 and green < 60 and blue < 60  # still the red it was taken in
    assert b"Apple" not in stored
    assert check_upload(stored, "IMG_0001.jpg", PHOTO) == "jpeg"  # a sound JPEG now


def test_a_converted_photo_is_named_as_what_it_now_is() -> None:
    assert stored_file_name("IMG_0001.HEIC", "jpeg") == "IMG_0001.jpg"
    assert stored_file_name("现场.heif", "jpeg") == "现场.jpg"
    assert stored_file_name("现场.jpg", "jpeg") == "现场.jpg"
    assert stored_file_name("现场照片", "jpeg") == "现场照片"
    assert stored_file_name("scan.PDF", "pdf") == "scan.PDF"


def test_a_stamped_scan_taken_as_heic_is_refused_with_how_to_send_jpg() -> None:
    data = heic_bytes(photo())
    with pytest.raises(ValidationError) as refused:
        prepare(data, "申报表盖章页.HEIC", SCAN)
    message = str(refused.value)
    assert "申报表盖章页.HEIC" in message and "HEIC" in message
    assert HINT in message and "兼容性最佳" in message and "JPG" in message


def test_without_the_heif_library_a_heic_is_refused_with_how_to_send_jpg(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = heic_bytes(photo())
    monkeypatch.setitem(sys.modules, "pillow_heif", None)  # import raises ImportError
    with pytest.raises(ValidationError) as refused:
        prepare(data, "IMG_0002.HEIC", PHOTO)
    assert "暂不能转换" in str(refused.value) and HEIC_TO_JPG_HINT in str(refused.value)


def test_a_truncated_heic_is_refused_as_broken() -> None:
    data = heic_bytes(photo())
    with pytest.raises(ValidationError, match="无法作为 HEIC 图片打开"):
        prepare(data[: len(data) // 2], "IMG_0003.HEIC", PHOTO)


def test_a_heic_named_as_a_jpg_is_refused() -> None:
    with pytest.raises(ValidationError, match="扩展名与内容不符"):
        prepare(heic_bytes(photo()), "IMG_0004.jpg", PHOTO)


def test_a_heic_over_the_pixel_limit_is_refused_before_decoding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = heic_bytes(photo(size=(200, 100)))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 6000)
    with pytest.raises(ValidationError, match="像素数过多（200×100 像素）"):
        prepare(data, "IMG_0005.HEIC", PHOTO)


def test_a_refused_heic_scan_is_audited(demo, office) -> None:
    with pytest.raises(ValidationError):
        checked_upload(demo, office, heic_bytes(photo()), "盖章页.HEIC", SCAN)
    [(detail,)] = demo.cur.execute(
        "SELECT detail FROM audit_log WHERE action = 'upload_refused'"
    ).fetchall()
    assert detail.startswith("文件：盖章页.HEIC；类型：盖章扫描件；原因：")
    assert "兼容性最佳" in detail


def test_an_iphone_photo_in_the_report_is_kept_as_a_jpg(world) -> None:
    repo, _, unit1, _, _, mine, _, store = world
    carry_out(world)
    activities.file_report(
        repo,
        unit1,
        mine.id,
        fresh(repo, unit1, mine).version,
        report_text="10月9日，城北街道举办防汛应急政策发布会。",
        photos=[Upload(heic_bytes(photo("navy")), "IMG_0010.HEIC")],
        store=store,
    )
    [report_photo] = [
        f for f in repo.activities.list_activity_files(unit1, mine.id) if f.kind == "photo"
    ]
    assert (report_photo.original_name, report_photo.fmt) == ("IMG_0010.jpg", "jpeg")
    data, fmt = activities.read_file(repo, unit1, report_photo.id, store=store)
    assert fmt == "jpeg" and Image.open(io.BytesIO(data)).format == "JPEG"
    thumb, _ = activities.read_file(repo, unit1, report_photo.id, thumb=True, store=store)
    assert Image.open(io.BytesIO(thumb)).format == "JPEG"


def test_photo_kind_names_heic_among_its_formats() -> None:
    assert "heic" in PHOTO.formats and "heic" not in SCAN.formats
    assert uploads.mime_for("heic") == "image/heic"
