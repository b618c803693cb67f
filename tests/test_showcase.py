"""成果展示: QR codes, public addresses and the static HTML site ZIP."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace
from datetime import date, datetime

import pytest
from PIL import Image

from themeday.core.domain import cn_date
from themeday.core.records import ShowcaseItem
from themeday.formats.showcase import activity_url, build_static_site, qr_png, qr_svg

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = "<img src=x onerror=alert(1)>"
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 32


def image_bytes(fmt: str, color: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), color).save(buffer, format=fmt)
    return buffer.getvalue()


FILES = {
    11: (image_bytes("JPEG", "red"), "jpeg"),
    12: (image_bytes("PNG", "blue"), "png"),
    21: (MP4, "mp4"),
    31: (image_bytes("PNG", "green"), "png"),
}


def make_item(activity_id: int, published: datetime, **changes) -> ShowcaseItem:
    item = ShowcaseItem(
        activity_id=activity_id,
        campaign_id=1,
        year=2023,
        unit_name=f"单位{activity_id}",
        title=f"活动{activity_id}",
        form="政策解读",
        planned_month=10,
        held_date=date(2023, 10, 9),
        place="县政务服务中心",
        report_text="第一段。\n\n第二段。",
        published_at=published,
        portal_url="",
        typical_case=False,
    )
    return replace(item, **changes)


@pytest.fixture
def items() -> list[ShowcaseItem]:
    return [
        make_item(
            1,
            datetime(2023, 10, 1, 9, 0),
            photo_ids=(11, 12),
            video_ids=(21,),
            portal_url="https://www.example.gov.cn/zwgk/1.html",
            typical_case=True,
        ),
        make_item(2, datetime(2023, 10, 20, 9, 0), held_date=None, photo_ids=(31,)),
        make_item(3, datetime(2023, 10, 10, 9, 0)),
    ]


class Loader:
    def __init__(self) -> None:
        self.calls: list[int] = []

    def __call__(self, attachment_id: int) -> tuple[bytes, str]:
        self.calls.append(attachment_id)
        return FILES[attachment_id]


def build(items, base_url: str | None = None, loader=None) -> dict[str, bytes]:
    data = build_static_site(
        items, loader or Loader(), site_title="政务公开主题日成果展示", base_url=base_url
    )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def html_files(files: dict[str, bytes]) -> dict[str, str]:
    return {name: data.decode("utf-8") for name, data in files.items() if name.endswith(".html")}


def test_qr_png_is_a_square_image():
    data = qr_png("https://example.gov.cn/showcase?activity=1")
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    assert image.width == image.height > 0
    bigger = Image.open(io.BytesIO(qr_png("https://example.gov.cn/showcase?activity=1", 12)))
    assert bigger.width == 2 * image.width


def test_qr_svg_is_inline_svg():
    svg = qr_svg("https://example.gov.cn/activity-1.html")
    assert "<svg" in svg
    assert not svg.lstrip().startswith("<?xml")


def test_activity_url():
    assert activity_url("https://a.gov.cn/", 7) == "https://a.gov.cn/showcase?activity=7"
    assert activity_url("http://host:8501", 12) == "http://host:8501/showcase?activity=12"


def test_cn_date():
    assert cn_date(date(2023, 10, 9)) == "2023年10月9日"
    assert cn_date(None) == "—"


def test_zip_has_pages_style_and_exact_media(items):
    loader = Loader()
    files = build(items, loader=loader)
    assert {"index.html", "style.css"} <= files.keys()
    for activity_id in (1, 2, 3):
        assert f"activity-{activity_id}.html" in files
    assert files["media/1-1.jpg"] == FILES[11][0]
    assert files["media/1-2.png"] == FILES[12][0]
    assert files["media/1-3.mp4"] == FILES[21][0]
    assert files["media/2-1.png"] == FILES[31][0]
    assert sorted(n for n in files if n.startswith("media/")) == [
        "media/1-1.jpg",
        "media/1-2.png",
        "media/1-3.mp4",
        "media/2-1.png",
    ]
    assert sorted(loader.calls) == [11, 12, 21, 31]
    assert "#B22222" in files["style.css"].decode("utf-8")


def test_pages_show_details_and_media(items):
    pages = html_files(build(items))
    page = pages["activity-1.html"]
    assert '<html lang="zh-CN">' in page
    assert '<meta charset="utf-8">' in page
    assert 'content="width=device-width, initial-scale=1"' in page
    assert "活动1" in page and "单位1" in page and "政策解读" in page
    assert "2023年10月9日" in page and "县政务服务中心" in page
    assert "<p>第一段。</p>" in page and "<p>第二段。</p>" in page
    assert 'src="media/1-1.jpg"' in page and 'src="media/1-2.png"' in page
    assert '<video controls preload="metadata" src="media/1-3.mp4">' in page
    assert "典型经验" in page
    assert 'href="index.html"' in page
    assert "—" in pages["activity-2.html"]
    for text in pages.values():
        assert "<script" not in text.lower()
        assert not re.search(r'src="(?:https?:)?//', text)  # no external resources
        assert re.findall(r'rel="stylesheet" href="([^"]*)"', text) == ["style.css"]


def test_index_is_newest_first_with_badge_and_thumbnail(items):
    index = html_files(build(items))["index.html"]
    positions = [index.index(f'href="activity-{n}.html"') for n in (2, 3, 1)]
    assert positions == sorted(positions)
    assert index.count("典型经验") == 1
    assert 'src="media/1-1.jpg"' in index and 'src="media/2-1.png"' in index
    assert "media/1-2.png" not in index
    assert "2023年10月9日" in index and "—" in index
    assert "单位2" in index and "政策解读" in index


def test_user_text_is_escaped_everywhere():
    item = make_item(
        5,
        datetime(2023, 10, 1),
        title=f"标题{XSS_SCRIPT}",
        unit_name=f"单位{XSS_IMG}",
        report_text=f"报告{XSS_SCRIPT}\n{XSS_IMG}",
        place=f'"地点"{XSS_IMG}',
        form=XSS_SCRIPT,
    )
    pages = html_files(build([item], base_url="https://zw.example.gov.cn/ztr"))
    assert pages.keys() == {"index.html", "activity-5.html"}
    for text in pages.values():
        assert "<script" not in text.lower()
        assert "<img src=x" not in text.lower()
        assert "onerror=alert(1)>" not in text
    page = pages["activity-5.html"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&quot;地点&quot;" in page


def test_only_http_portal_urls_are_linked():
    bad = make_item(1, datetime(2023, 10, 1), portal_url="javascript:alert(1)")
    quoted = make_item(2, datetime(2023, 10, 2), portal_url='https://a.gov.cn/"><b>x')
    good = make_item(3, datetime(2023, 10, 3), portal_url="https://www.example.gov.cn/a?x=1&y=2")
    pages = html_files(build([bad, quoted, good]))
    assert "javascript:" not in pages["activity-1.html"]
    assert 'class="portal"' not in pages["activity-1.html"]
    assert "<b>x" not in pages["activity-2.html"]
    assert 'href="https://www.example.gov.cn/a?x=1&amp;y=2"' in pages["activity-3.html"]
    for text in pages.values():
        assert "javascript:" not in text


def test_qr_code_only_with_base_url(items):
    with_qr = html_files(build(items, base_url="https://zw.example.gov.cn/ztr/"))
    without = html_files(build(items))
    for n in (1, 2, 3):
        assert "<svg" in with_qr[f"activity-{n}.html"]
        assert "扫一扫在手机打开" in with_qr[f"activity-{n}.html"]
        assert "<svg" not in without[f"activity-{n}.html"]
        assert "扫一扫在手机打开" not in without[f"activity-{n}.html"]
    assert "<svg" not in with_qr["index.html"]
    assert with_qr["activity-1.html"] != with_qr["activity-2.html"]


def test_empty_list_still_has_an_index():
    files = build([])
    assert set(files) == {"index.html", "style.css"}
    assert "暂无已发布的活动成果。" in files["index.html"].decode("utf-8")


def test_same_input_gives_same_bytes(items):
    first = build_static_site(items, Loader(), site_title="成果展示", base_url="https://a.gov.cn")
    second = build_static_site(items, Loader(), site_title="成果展示", base_url="https://a.gov.cn")
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2000, 1, 1, 0, 0, 0)}


def test_unknown_format_is_refused():
    item = make_item(1, datetime(2023, 10, 1), photo_ids=(99,))
    with pytest.raises(ValueError):
        build_static_site([item], lambda _id: (b"GIF89a", "gif"), site_title="成果展示")
