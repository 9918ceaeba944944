"""The real-data tests run without a network: any connection attempt fails them."""

from __future__ import annotations

import socket

import pytest


class NetworkUsed(AssertionError):
    pass


@pytest.fixture(autouse=True, scope="package")
def no_network():
    """Corpus tables must come from files the packages ship; a loader that reached
    for the network would raise here instead of downloading."""

    def refuse(self, address, *args, **kwargs):
        raise NetworkUsed(f"a corpus loader tried to connect to {address!r}")

    original = socket.socket.connect, socket.socket.connect_ex
    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    try:
        yield
    finally:
        socket.socket.connect, socket.socket.connect_ex = original
