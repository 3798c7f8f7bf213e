"""The network guard: its verdicts as a pure function (a table of every address form, no socket opened),
resolution of the numeric host spellings the OS resolver accepts, URL checks and filesystem roots.

Only 127.0.0.1 is ever connected to here (a local listener proving that nothing arrived)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from lineagelens.receiver.sources.network import (
    NetworkGuard,
    NetworkRefused,
    check_url,
    embedded_ipv4,
    join_url,
    parse_address,
    parse_networks,
    under_roots,
    verdict,
)
from tests.servers import recording_listener

DENIED_BY_DEFAULT = [
    # IPv4: loopback, RFC 1918, CGNAT, link-local, this-network, multicast, broadcast, reserved, special use
    ("127.0.0.1", "loopback"), ("127.255.255.254", "loopback"),
    ("10.0.0.1", "RFC 1918"), ("10.255.255.255", "RFC 1918"), ("172.16.0.1", "RFC 1918"),
    ("172.31.255.255", "RFC 1918"), ("192.168.1.1", "RFC 1918"),
    ("100.64.0.1", "carrier-grade NAT"), ("100.127.255.255", "carrier-grade NAT"),
    ("169.254.1.1", "link-local"), ("0.0.0.0", "this-network"), ("0.1.2.3", "this-network"),
    ("224.0.0.1", "multicast"), ("239.255.255.250", "multicast"), ("255.255.255.255", "broadcast"),
    ("240.0.0.1", "reserved"), ("192.0.2.1", "documentation"), ("198.18.0.1", "benchmarking"),
    ("192.0.0.8", "IETF protocol"),
    # cloud metadata, IPv4 and IPv6
    ("169.254.169.254", "cloud metadata"), ("169.254.170.2", "cloud metadata"),
    ("100.100.100.200", "cloud metadata"), ("168.63.129.16", "cloud metadata"),
    ("fd00:ec2::254", "cloud metadata"),
    # IPv6: loopback, unspecified, ULA, link-local (with a zone), site-local, multicast, documentation, discard
    ("::1", "loopback"), ("::", "unspecified"), ("fd00::1", "unique local"), ("fc00::1", "unique local"),
    ("fe80::1", "link-local"), ("fe80::1%eth0", "link-local"), ("fec0::1", "site-local"),
    ("ff02::1", "multicast"), ("2001:db8::1", "documentation"), ("100::1", "discard"),
    # IPv6 forms that embed an IPv4, judged by it
    ("::ffff:127.0.0.1", "IPv4-mapped and embeds 127.0.0.1"),
    ("::ffff:169.254.169.254", "IPv4-mapped and embeds 169.254.169.254"),
    ("::ffff:10.0.0.1", "IPv4-mapped and embeds 10.0.0.1"),
    ("::a9fe:a9fe", "IPv4-compatible and embeds 169.254.169.254"),
    ("::127.0.0.1", "IPv4-compatible and embeds 127.0.0.1"),
    ("::10.0.0.1", "IPv4-compatible and embeds 10.0.0.1"),
    ("::ffff:0:7f00:1", "IPv4-translated and embeds 127.0.0.1"),
    ("64:ff9b::a9fe:a9fe", "NAT64 and embeds 169.254.169.254"),
    ("64:ff9b::7f00:1", "NAT64 and embeds 127.0.0.1"),
    ("64:ff9b::192.168.0.1", "NAT64 and embeds 192.168.0.1"),
    ("64:ff9b:1::a9fe:a9fe", "local-use NAT64"), ("64:ff9b:1:abcd::808:808", "local-use NAT64"),
    ("2002:a9fe:a9fe::1", "6to4 and embeds 169.254.169.254"),
    ("2002:7f00:1::1", "6to4 and embeds 127.0.0.1"),
    ("2002:c0a8:101::1", "6to4 and embeds 192.168.1.1"),
    ("2001:0:808:808::80ff:fffe", "Teredo and embeds 127.0.0.1"),  # obfuscated client 127.0.0.1
    ("2001:0:a00:1::f7f7:f7f7", "Teredo and embeds 10.0.0.1"),  # a private Teredo server
]

ALLOWED_BY_DEFAULT = [
    "8.8.8.8", "1.1.1.1", "93.184.215.14", "11.0.0.1",
    "172.15.255.255", "172.32.0.1", "100.63.255.255", "100.128.0.1", "192.169.0.1", "169.255.0.1",
    "2606:4700:4700::1111", "2a00:1450:4001::200e",
    "::ffff:8.8.8.8", "::8.8.8.8", "64:ff9b::808:808", "2002:808:808::1", "2001:0:808:808::f7f7:f7f7",
]


@pytest.mark.parametrize(("address", "why"), DENIED_BY_DEFAULT, ids=[a for a, _ in DENIED_BY_DEFAULT])
def test_default_verdict_refuses_every_non_public_form(address: str, why: str) -> None:
    ok, reason = verdict(address)
    assert ok is False and why in reason, reason


@pytest.mark.parametrize("address", ALLOWED_BY_DEFAULT)
def test_default_verdict_allows_public_addresses(address: str) -> None:
    ok, reason = verdict(address)
    assert ok is True, reason


ON_PREM = parse_networks("10.20.0.0/16")
LOOPBACK = parse_networks("127.0.0.0/8,::1/128")


@pytest.mark.parametrize(("address", "deny", "allow", "ok"), [
    # the allow list opens exceptions in the built-in refusals, and only those it holds
    ("10.20.1.1", "", "10.20.0.0/16", True),
    ("10.21.0.1", "", "10.20.0.0/16", False),
    ("::ffff:10.20.1.1", "", "10.20.0.0/16", True),
    ("2002:a14:101::1", "", "10.20.0.0/16", True),
    ("127.0.0.1", "", "127.0.0.0/8,::1/128", True),
    ("::1", "", "127.0.0.0/8,::1/128", True),
    ("::ffff:127.0.0.1", "", "127.0.0.0/8,::1/128", True),
    ("10.0.0.1", "", "127.0.0.0/8,::1/128", False),
    ("fd12::1", "", "fd00::/8", True),
    ("fc00::1", "", "fd00::/8", False),
    ("8.8.8.8", "", "10.20.0.0/16", True),  # public stays allowed
    # metadata addresses open only when listed exactly
    ("169.254.1.1", "", "169.254.0.0/16", True),
    ("169.254.169.254", "", "169.254.0.0/16", False),
    ("169.254.169.254", "", "0.0.0.0/0", False),
    ("::ffff:169.254.169.254", "", "169.254.0.0/16", False),
    ("169.254.169.254", "", "169.254.169.254/32", True),
    ("fd00:ec2::254", "", "fd00::/8", False),
    ("fd00:ec2::254", "", "fd00:ec2::254/128", True),
    # the operator's denials, also through embedded forms
    ("8.8.8.8", "8.8.8.0/24", "", False),
    ("::ffff:8.8.8.8", "8.8.8.0/24", "", False),
    ("64:ff9b::808:808", "8.8.8.0/24", "", False),
    ("8.8.4.4", "8.8.8.0/24", "", True),
    ("2002:808:808::1", "2002::/16", "", False),
    # a more specific allowed network beats a denial; a tie goes to the denial
    ("10.20.1.1", "0.0.0.0/0,::/0", "10.20.0.0/16", True),
    ("8.8.8.8", "0.0.0.0/0,::/0", "10.20.0.0/16", False),
    ("2606:4700::1111", "0.0.0.0/0,::/0", "10.20.0.0/16", False),
    ("10.20.5.1", "10.20.5.0/24", "10.20.0.0/16", False),
    ("10.20.6.1", "10.20.5.0/24", "10.20.0.0/16", True),
    ("10.20.1.1", "10.20.0.0/16", "10.20.0.0/16", False),
])
def test_verdict_with_operator_lists(address: str, deny: str, allow: str, ok: bool) -> None:
    found = verdict(address, parse_networks(deny), parse_networks(allow))
    assert found.ok is ok, found.reason


def test_embedded_ipv4_reads_each_form() -> None:
    cases = {"::ffff:1.2.3.4": ("IPv4-mapped", ["1.2.3.4"]), "::1.2.3.4": ("IPv4-compatible", ["1.2.3.4"]),
             "64:ff9b::102:304": ("NAT64", ["1.2.3.4"]), "2002:102:304:5::6": ("6to4", ["1.2.3.4"]),
             "2001:0:4136:e378:8000:63bf:3fff:fdd2": ("Teredo", ["65.54.227.120", "192.0.2.45"]),
             "::1": ("", []), "2606:4700::1": ("", [])}
    for address, (form, inner) in cases.items():
        found_form, found = embedded_ipv4(parse_address(address))
        assert (found_form, [str(a) for a in found]) == (form, inner), address


@pytest.mark.parametrize("host", ["2130706433", "0x7f000001", "127.1", "0177.0.0.1", "127.0.0.1", "localhost",
                                  "::1", "::ffff:127.0.0.1", "::a9fe:a9fe", "0"])
def test_numeric_spellings_are_judged_as_the_os_resolver_reads_them(host: str) -> None:
    with pytest.raises(NetworkRefused):
        NetworkGuard().resolve(host, 80)


@pytest.mark.parametrize("host", ["2130706433", "0x7f000001", "127.1", "0177.0.0.1"])
def test_numeric_spellings_resolve_to_the_checked_address(host: str) -> None:
    assert NetworkGuard(allow=LOOPBACK).resolve(host, 80) == [(socket.AF_INET, "127.0.0.1")]


@pytest.mark.parametrize("host", ["127.0.0.1", "2130706433", "0x7f000001", "127.1", "0177.0.0.1"])
def test_a_refused_address_is_never_connected_to(host: str) -> None:
    with recording_listener() as listener, pytest.raises(NetworkRefused, match=r"127\.0\.0\.1"):
        NetworkGuard().connect(host, listener.port, 1.0)
    assert listener.connections == 0


def test_an_allowed_address_is_connected_to() -> None:
    with recording_listener() as listener:
        NetworkGuard(allow=LOOPBACK).connect("127.1", listener.port, 1.0).close()
    assert listener.connections == 1


@pytest.mark.parametrize(("url", "expected"), [
    ("HTTP://Airflow.Example.com:8080/", "http://airflow.example.com:8080/"),
    ("https://airflow.example.com/base", "https://airflow.example.com/base"),
    ("http://[2606:4700::1]:8080", "http://[2606:4700::1]:8080"),
])
def test_check_url_normalises(url: str, expected: str) -> None:
    assert check_url(url) == expected


@pytest.mark.parametrize(("url", "why"), [
    ("http://h/evil?", "query"), ("http://h/evil?x=1", "query"), ("http://h/evil#", "fragment"),
    ("http://h/#/x", "fragment"), ("http://user:pw@h/", "credentials"), ("http://h@127.0.0.1/", "credentials"),
    ("ftp://h/", "http and https"), ("file:///etc/passwd", "http and https"), ("http:///x", "no host"),
    ("http://h:99999/", "port"), ("http://h:0/", "port"), ("http://h/a b", "whitespace"),
    ("http://h\\@127.0.0.1/", "backslash"), ("http://h/\r\nX: y", "whitespace"),
])
def test_check_url_refuses(url: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        check_url(url)


def test_a_query_is_kept_only_for_complete_endpoints() -> None:
    assert check_url("https://hooks.example.com/x?token=1", allow_query=True) == "https://hooks.example.com/x?token=1"
    with pytest.raises(ValueError, match="fragment"):
        check_url("https://hooks.example.com/x#y", allow_query=True)


def test_join_url_appends_below_the_base_path() -> None:
    assert join_url("http://h:8080/airflow/", "/api/v2/monitor/health") == "http://h:8080/airflow/api/v2/monitor/health"
    assert join_url("http://h", "/api/v1/applications", {"limit": 5}) == "http://h/api/v1/applications?limit=5"
    for base in ("http://h/evil?", "http://h/evil#"):
        with pytest.raises(ValueError):
            join_url(base, "/health")
    with pytest.raises(ValueError):
        join_url("http://h", "/x?y=1")


def test_paths_must_resolve_under_a_root(tmp_path: Path) -> None:
    root = tmp_path / "data"
    (root / "lake").mkdir(parents=True)
    (tmp_path / "data2").mkdir()
    os.symlink("/etc", root / "escape")
    roots = (os.path.realpath(root),)
    assert under_roots(str(root / "lake"), roots) == os.path.realpath(root / "lake")
    assert under_roots(str(root), roots) == os.path.realpath(root)
    assert under_roots(str(root / "missing"), roots) == os.path.realpath(root / "missing")
    for outside in (str(root / ".." / "data2"), str(tmp_path / "data2"), str(root / "escape"),
                    str(root / "escape" / "shadow"), "/etc/shadow", "/root", "relative/path", "data/lake"):
        assert under_roots(outside, roots) is None, outside
    assert under_roots(str(root / "lake"), ()) is None
