"""Where a request came from: the client's address and whether a proxy may speak for it.

Plain functions (no Streamlit): the ui layer hands them what ``st.context`` reports.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

from themeday.core.config import IPNetwork

LOOPBACK = "localhost"
"""The peer Streamlit reports as no address (``st.context.ip_address`` is None for
127.0.0.1 and ::1 alike, so which one is not known)."""


def _address(text: str) -> str | None:
    """``text`` as a normalised IP address (brackets and a port dropped), or None."""
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def is_trusted_proxy(address: str, trusted: Sequence[IPNetwork]) -> bool:
    """Whether ``address`` (an IP, or :data:`LOOPBACK`) lies in one of ``trusted``."""
    if address == LOOPBACK:
        ips = [ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")]
    elif (normal := _address(address)) is not None:
        ips = [ipaddress.ip_address(normal)]
    else:
        return False
    return any(ip in network for ip in ips for network in trusted if ip.version == network.version)


def source_address(
    peer: str | None, forwarded_for: Iterable[str], trusted: Sequence[IPNetwork]
) -> str:
    """The client's address for the audit log (来源地址).

    ``peer`` is the address the connection came from (None: this machine). Only when
    it is a trusted proxy is ``X-Forwarded-For`` read, from its right end (the hop the
    proxy added) towards the left, past every further trusted proxy: the first address
    that is not one is the client. Anything left of it could be typed by the client, so
    it is never believed; an entry that is not an address stops the walk. (Streamlit's
    server, uvicorn, may already have done this for a proxy in ``FORWARDED_ALLOW_IPS``:
    the peer is then the client, untrusted, and the header is not read again.)
    """
    address = LOOPBACK if peer is None else (_address(peer) or peer)
    hops = [hop for value in forwarded_for for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not is_trusted_proxy(address, trusted):
            break
        parsed = _address(hop)
        if parsed is None:
            break
        address = parsed
    return address
