"""成果展示: QR codes, public addresses and a static HTML site of published activities.

Pure functions, bytes or text out: no Streamlit, no SQL. The static site is a ZIP
a government portal's 专栏 can host as is: plain HTML and one CSS file, no
JavaScript and no external resources. Every piece of user text goes through
:func:`_esc` (``html.escape`` with ``quote=True``) before it reaches the HTML.
"""

from __future__ import annotations

import html
import io
import ipaddress
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import segno

from themeday.core.domain import cn_date
from themeday.core.records import ShowcaseItem
from themeday.formats.uploads import IMAGE_FORMATS

__all__ = [
    "MEDIA_EXTENSIONS",
    "activity_url",
    "build_static_site",
    "local_host",
    "qr_address_warning",
    "qr_png",
    "qr_svg",
]

QR_ERROR = "m"
"""QR error correction level (about 15% of the code may be damaged)."""

MEDIA_EXTENSIONS = {"jpeg": ".jpg", "png": ".png", "mp4": ".mp4"}
"""File extension in the static site for each attachment format ``load_file`` may return."""

VIDEO_FORMATS = frozenset({"mp4"})

EMPTY_MESSAGE = "暂无已发布的活动成果。"
QR_CAPTION = "扫一扫在手机打开"
TYPICAL_BADGE = "典型经验"
NO_DATE = "—"

ZIP_DATE_TIME = (2000, 1, 1, 0, 0, 0)
"""Fixed timestamp of every ZIP entry, so the same input always gives the same bytes."""

LoadFile = Callable[[int], tuple[bytes, str]]

STYLE_CSS = """\
* { box-sizing: border-box; }
body {
  margin: 0;
  color: #222;
  background: #f7f7f7;
  font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC",
    "Microsoft YaHei", sans-serif;
  line-height: 1.7;
}
header.site {
  background: #B22222;
  color: #fff;
  padding: 1rem 1.25rem;
}
header.site h1 { margin: 0; font-size: 1.4rem; }
header.site a { color: #fff; text-decoration: none; }
main { max-width: 960px; margin: 0 auto; padding: 1rem 1.25rem 2rem; }
a { color: #B22222; }
.empty { color: #666; padding: 2rem 0; text-align: center; }
ul.cards { list-style: none; margin: 0; padding: 0; }
ul.cards li {
  display: flex;
  gap: 1rem;
  background: #fff;
  border-left: 4px solid #B22222;
  margin: 0 0 1rem;
  padding: 0.75rem 1rem;
}
ul.cards img.thumb {
  width: 160px;
  height: 110px;
  object-fit: cover;
  flex: none;
}
ul.cards h2 { margin: 0 0 0.25rem; font-size: 1.1rem; }
.meta { color: #555; font-size: 0.9rem; margin: 0; }
.badge {
  display: inline-block;
  background: #B22222;
  color: #fff;
  font-size: 0.8rem;
  border-radius: 3px;
  padding: 0 0.4rem;
  margin-left: 0.4rem;
  vertical-align: middle;
}
article { background: #fff; padding: 1rem 1.25rem; }
article h2 { margin-top: 0; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; }
dl.facts dt { color: #555; }
dl.facts dd { margin: 0; }
.report p { text-indent: 2em; margin: 0 0 0.75rem; }
.media img, .media video { display: block; max-width: 100%; margin: 0 0 1rem; }
.qr { text-align: center; margin: 1.5rem 0 0; }
.qr figcaption { margin: 0.25rem 0 0; color: #555; font-size: 0.9rem; }
.back { margin-top: 1.5rem; }
@media (max-width: 600px) {
  ul.cards li { flex-direction: column; }
  ul.cards img.thumb { width: 100%; height: auto; }
}
"""


# --- public helpers --------------------------------------------------------------------------


def qr_png(url: str, scale: int = 6) -> bytes:
    """A QR code for ``url`` as PNG bytes (for ``st.image``), ``scale`` pixels per module."""
    buffer = io.BytesIO()
    _qr(url).save(buffer, kind="png", scale=scale)
    return buffer.getvalue()


def qr_svg(url: str) -> str:
    """A QR code for ``url`` as an inline ``<svg>`` element (no XML declaration)."""
    return _qr(url).svg_inline(scale=4)


PUBLIC_URL_SETTING = "THEMEDAY_PUBLIC_URL"
"""The environment variable with the address the public reaches the app at."""

_LOCAL_SUFFIXES = (".localhost", ".local", ".lan", ".internal", ".intranet", ".home.arpa")


def local_host(url: str) -> str | None:
    """The host of ``url`` when the public cannot reach it, else None.

    Local: ``localhost``, a name without a dot or under a local-only suffix (``.local``,
    ``.lan``, ``.internal``…), and any IP address that is not global (loopback,
    private 10/172.16/192.168, link-local, carrier-grade NAT, unspecified ``0.0.0.0``).
    """
    try:
        host = (urlsplit(url.strip()).hostname or "").rstrip(".")
    except ValueError:
        return None
    if not host:
        return None
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        name = host.lower()
        if name == "localhost" or "." not in name or name.endswith(_LOCAL_SUFFIXES):
            return host
        return None
    return None if address.is_global else host


def qr_address_warning(base_url: str, *, configured: bool) -> str | None:
    """Why the 成果展示 QR codes would not open on a visitor's phone, for the office.

    ``configured`` says whether ``base_url`` came from :data:`PUBLIC_URL_SETTING` (else
    it is the address the office's own browser used). None when the address is public.
    """
    host = local_host(base_url)
    if host is None:
        return None
    if configured:
        cause = f"环境变量 {PUBLIC_URL_SETTING} 设置的是本机或内网地址（{host}）"
    else:
        cause = f"尚未设置环境变量 {PUBLIC_URL_SETTING}，二维码指向本机或内网地址（{host}）"
    return (
        f"{cause}，公众用手机扫码将无法打开。请将服务器环境变量 {PUBLIC_URL_SETTING} "
        "设置为公众访问本系统的网址（如 https://ztr.example.gov.cn），重启服务后生效。"
        "此提示仅政务公开办可见。"
    )


def activity_url(base_url: str, activity_id: int) -> str:
    """Public address of one activity in the running app: ``<base>/showcase?activity=<id>``."""
    return f"{base_url.rstrip('/')}/showcase?activity={int(activity_id)}"


def build_static_site(
    items: Iterable[ShowcaseItem],
    load_file: LoadFile,
    *,
    site_title: str,
    base_url: str | None = None,
) -> bytes:
    """A ZIP (bytes) of a static HTML site of the published ``items``.

    The ZIP holds ``index.html`` (newest first by ``published_at``), one
    ``activity-<id>.html`` per item, ``style.css`` and the photos and videos under
    ``media/<activity_id>-<n>.<ext>``. ``load_file(attachment_id)`` returns
    ``(content, fmt)`` with ``fmt`` in ``jpeg``, ``png``, ``mp4``; it is called once
    per attachment id. With ``base_url`` (where the site will be hosted) each page
    carries a QR code to its own address. The same input always gives the same bytes.
    """
    ordered = sorted(items, key=lambda item: (item.published_at, item.activity_id), reverse=True)
    loader = _CachedLoader(load_file)
    pages: list[tuple[str, bytes]] = []
    media: list[tuple[str, bytes]] = []
    cards: list[str] = []
    for item in ordered:
        files = _media_files(item, loader)
        media.extend((f.path, f.content) for f in files)
        cards.append(_card_html(item, files))
        page = _activity_html(item, files, site_title=site_title, base_url=base_url)
        pages.append((_page_name(item.activity_id), page.encode("utf-8")))
    entries = [
        ("index.html", _index_html(cards, site_title=site_title).encode("utf-8")),
        ("style.css", STYLE_CSS.encode("utf-8")),
        *pages,
        *media,
    ]
    return _zip(entries)


# --- QR --------------------------------------------------------------------------------------


def _qr(url: str) -> segno.QRCode:
    return segno.make(url, error=QR_ERROR, boost_error=False)


# --- media -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _MediaFile:
    path: str
    content: bytes
    fmt: str


class _CachedLoader:
    """Calls ``load_file`` at most once per attachment id."""

    def __init__(self, load_file: LoadFile) -> None:
        self._load_file = load_file
        self._cache: dict[int, tuple[bytes, str]] = {}

    def __call__(self, attachment_id: int) -> tuple[bytes, str]:
        if attachment_id not in self._cache:
            content, fmt = self._load_file(attachment_id)
            if fmt not in MEDIA_EXTENSIONS:
                raise ValueError(f"unsupported format {fmt!r} for attachment {attachment_id}")
            self._cache[attachment_id] = (bytes(content), fmt)
        return self._cache[attachment_id]


def _media_files(item: ShowcaseItem, loader: _CachedLoader) -> list[_MediaFile]:
    """The item's photos then videos, numbered from 1 within the activity."""
    files = []
    for n, attachment_id in enumerate((*item.photo_ids, *item.video_ids), start=1):
        content, fmt = loader(attachment_id)
        path = f"media/{int(item.activity_id)}-{n}{MEDIA_EXTENSIONS[fmt]}"
        files.append(_MediaFile(path, content, fmt))
    return files


# --- HTML ------------------------------------------------------------------------------------


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _page_name(activity_id: int) -> str:
    return f"activity-{int(activity_id)}.html"


def _safe_link(url: str) -> str | None:
    """``url`` stripped when it is an http(s) address, otherwise None (never linked)."""
    url = (url or "").strip()
    if url.lower().startswith(("http://", "https://")) and not any(c.isspace() for c in url):
        return url
    return None


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _document(title: str, body: str, *, site_title: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_esc(title)}</title>\n"
        '<link rel="stylesheet" href="style.css">\n'
        "</head>\n"
        "<body>\n"
        f'<header class="site"><h1><a href="index.html">{_esc(site_title)}</a></h1></header>\n'
        f"<main>\n{body}</main>\n"
        "</body>\n"
        "</html>\n"
    )


def _badge(item: ShowcaseItem) -> str:
    return f' <span class="badge">{TYPICAL_BADGE}</span>' if item.typical_case else ""


def _card_html(item: ShowcaseItem, files: Sequence[_MediaFile]) -> str:
    page = _page_name(item.activity_id)
    thumb = next((f for f in files if f.fmt in IMAGE_FORMATS), None)
    image = (
        f'<a href="{page}"><img class="thumb" src="{_esc(thumb.path)}" '
        f'alt="{_esc(item.title)}"></a>'
        if thumb
        else ""
    )
    return (
        f"<li>{image}<div>"
        f'<h2><a href="{page}">{_esc(item.title)}</a>{_badge(item)}</h2>'
        f'<p class="meta">{_esc(item.unit_name)} · {_esc(item.form)} · '
        f"{_esc(cn_date(item.held_date))}</p>"
        "</div></li>\n"
    )


def _index_html(cards: Sequence[str], *, site_title: str) -> str:
    if cards:
        body = f'<ul class="cards">\n{"".join(cards)}</ul>\n'
    else:
        body = f'<p class="empty">{EMPTY_MESSAGE}</p>\n'
    return _document(site_title, body, site_title=site_title)


def _media_html(item: ShowcaseItem, files: Sequence[_MediaFile]) -> str:
    parts = []
    for n, f in enumerate(files, start=1):
        if f.fmt in VIDEO_FORMATS:
            parts.append(f'<video controls preload="metadata" src="{_esc(f.path)}"></video>\n')
        else:
            alt = _esc(f"{item.title} 图片{n}")
            parts.append(f'<img src="{_esc(f.path)}" alt="{alt}" loading="lazy">\n')
    return f'<section class="media">\n{"".join(parts)}</section>\n' if parts else ""


def _activity_html(
    item: ShowcaseItem,
    files: Sequence[_MediaFile],
    *,
    site_title: str,
    base_url: str | None,
) -> str:
    facts = [
        ("单位", item.unit_name),
        ("活动形式", item.form),
        ("举办日期", cn_date(item.held_date)),
        ("活动地点", item.place or NO_DATE),
    ]
    facts_html = "".join(f"<dt>{label}</dt><dd>{_esc(value)}</dd>" for label, value in facts)
    paragraphs = _paragraphs(item.report_text)
    report = (
        '<section class="report">\n<h3>情况报告</h3>\n'
        + "".join(f"<p>{_esc(p)}</p>\n" for p in paragraphs)
        + "</section>\n"
        if paragraphs
        else ""
    )
    link = _safe_link(item.portal_url)
    portal = (
        f'<p class="portal"><a href="{_esc(link)}" rel="noopener noreferrer">'
        "在政府门户网站查看原文</a></p>\n"
        if link
        else ""
    )
    qr = ""
    if base_url:
        target = f"{base_url.rstrip('/')}/{_page_name(item.activity_id)}"
        qr = f'<figure class="qr">{qr_svg(target)}<figcaption>{QR_CAPTION}</figcaption></figure>\n'
    body = (
        "<article>\n"
        f"<h2>{_esc(item.title)}{_badge(item)}</h2>\n"
        f'<dl class="facts">{facts_html}</dl>\n'
        f"{report}{_media_html(item, files)}{portal}{qr}"
        "</article>\n"
        '<p class="back"><a href="index.html">← 返回成果展示列表</a></p>\n'
    )
    return _document(f"{item.title} - {site_title}", body, site_title=site_title)


# --- ZIP -------------------------------------------------------------------------------------


def _zip(entries: Iterable[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME)
            info.external_attr = 0o644 << 16
            # Photos and videos are already compressed: store them as they are.
            info.compress_type = (
                zipfile.ZIP_STORED if name.startswith("media/") else zipfile.ZIP_DEFLATED
            )
            archive.writestr(info, content)
    return buffer.getvalue()
