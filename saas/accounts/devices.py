"""Where a sign-in comes from, said plainly and kept small: a browser and a system ("Chrome on
Android") read from the user agent, and the client address's network (the /24 of an IPv4
address, the /48 of an IPv6 one), never the full address and never looked up anywhere.

No user-agent library is in the lock, so this reads the common browsers itself; anything it does
not know is "" (shown as an unknown browser or system). Browsers are tested in the order that
matters: Edge, Opera and Samsung Internet also say "Chrome", Chrome also says "Safari".
"""

from __future__ import annotations

import ipaddress
from typing import NamedTuple

from flask_babel import gettext as _

IPV4_PREFIX = 24
IPV6_PREFIX = 48
FIELD_LENGTH = 40  # browser and system names are short; longer text is not one of ours
NETWORK_LENGTH = 64  # "ffff:ffff:ffff::/48" is 19 characters; room to spare

# (a token in the user agent, the browser it means), first match wins
_BROWSERS: tuple[tuple[str, str], ...] = (
    ("Edg/", "Edge"),
    ("EdgA/", "Edge"),
    ("EdgiOS/", "Edge"),
    ("Edge/", "Edge"),  # the old, pre-Chromium Edge
    ("OPR/", "Opera"),
    ("OPiOS/", "Opera"),
    ("Opera", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Trident/", "Internet Explorer"),
    ("MSIE ", "Internet Explorer"),
)

# (a token, the system it means), first match wins: Android before Linux, iPad and iPhone
# before "Mac OS X" (which they also say), ChromeOS before Linux
_SYSTEMS: tuple[tuple[str, str], ...] = (
    ("Windows Phone", "Windows Phone"),
    ("Windows", "Windows"),
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPod", "iOS"),
    ("iPad", "iPadOS"),
    ("CrOS", "ChromeOS"),
    ("Macintosh", "macOS"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


# Networks inside a home, school or office (RFC 1918, RFC 4193, link-local): the prefix says
# nothing about a place. Not ipaddress's `is_private`, which also counts the documentation and
# other reserved ranges.
_LOCAL = tuple(
    ipaddress.ip_network(n)
    for n in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "169.254.0.0/16",
        "fc00::/7",
        "fe80::/10",
    )
)


class Device(NamedTuple):
    browser: str  # "" when unknown
    system: str  # "" when unknown


def describe(user_agent: str | None) -> Device:
    """The browser and system a user agent names, as far as the common browsers go."""
    agent = (user_agent or "")[:1000]
    return Device(_browser(agent), _first(_SYSTEMS, agent))


def _browser(agent: str) -> str:
    found = _first(_BROWSERS, agent)
    if found:
        return found
    # Safari names itself only by what it lacks: "Version/… Safari/…" and no other browser
    if "Safari/" in agent and "Version/" in agent:
        return "Safari"
    if "Mobile/" in agent and ("iPhone" in agent or "iPad" in agent):
        return "Safari"  # an app's web view on iOS is Safari underneath
    return ""


def _first(table: tuple[tuple[str, str], ...], agent: str) -> str:
    return next((name for token, name in table if token in agent), "")


def network_of(address: str | None) -> str:
    """The network an address belongs to, as a prefix ("81.82.83.0/24", "2a02:1810:4d00::/48"),
    or "" for anything that is not an address. An IPv4 address written as IPv6
    ("::ffff:81.82.83.84") counts as IPv4."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return ""
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.version == 6 and ip.is_loopback:
        return "::1/128"  # its /48 would be "::/48", which says nothing
    prefix = IPV4_PREFIX if ip.version == 4 else IPV6_PREFIX
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def device_label(browser: str, system: str) -> str:
    """ "Chrome on Android" in the current language."""
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    if browser:
        return browser
    if system:
        return _("A browser on %(system)s", system=system)
    return _("An unknown browser")


def place_label(network: str) -> str:
    """The approximate place: the network's prefix, and what kind of network it is when that
    is all one can say (this computer, a private network)."""
    if not network:
        return _("Unknown network")
    try:
        net = ipaddress.ip_network(network)
    except ValueError:
        return _("Unknown network")
    if net.is_loopback:
        return _("This computer (%(network)s)", network=network)
    if any(net.version == local.version and net.subnet_of(local) for local in _LOCAL):
        return _("A private network (%(network)s)", network=network)
    return _("Network %(network)s", network=network)
