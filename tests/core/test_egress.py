"""T24: the autouse guard in tests/conftest.py fails any connection outside loopback (the whole suite runs under it)."""
from __future__ import annotations

import socket

import pytest


@pytest.mark.parametrize('address', [('203.0.113.7', 80), ('8.8.8.8', 53), ('2001:db8::1', 443, 0, 0)])
def test_outbound_connections_fail_the_test(address):
    family = socket.AF_INET6 if ':' in address[0] else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock, pytest.raises(AssertionError, match='network egress'):
        sock.connect(address)


def test_connect_ex_and_create_connection_are_guarded_too():
    with socket.socket() as sock, pytest.raises(AssertionError, match='network egress'):
        sock.connect_ex(('203.0.113.7', 80))
    with pytest.raises(AssertionError, match='network egress'):
        socket.create_connection(('203.0.113.7', 80), timeout=1)


def test_loopback_stays_allowed():
    with socket.socket() as server:
        server.bind(('127.0.0.1', 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=1):
            pass
