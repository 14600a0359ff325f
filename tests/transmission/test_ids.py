"""The id table on its own: numbering, the 60 s window of recently-active and removed, id forms."""

from __future__ import annotations

import base64
from types import SimpleNamespace

import pytest

from utserver.web.transmission.errors import RpcError
from utserver.web.transmission.ids import IdTable, hash_of

HEX = "0123456789abcdef0123456789abcdef01234567"


def view(info_hash: str, added_on: int = 0):
    return SimpleNamespace(hash=info_hash, added_on=added_on)


def test_hash_of_reads_hex_in_any_case_and_magnets_in_hex_or_base32():
    b32 = base64.b32encode(bytes.fromhex(HEX)).decode()
    assert hash_of(HEX) == hash_of(HEX.upper()) == HEX.upper()
    assert hash_of(f"magnet:?xt=urn:btih:{HEX}&dn=x") == HEX.upper()
    assert hash_of(f"magnet:?dn=x&xt=urn:btih:{b32}") == HEX.upper()
    assert hash_of("magnet:?dn=nothing") is None and hash_of(HEX[:-1]) is None


def test_ids_follow_age_survive_removals_and_the_window_forgets():
    now = [1000.0]
    table = IdTable(clock=lambda: now[0])
    old, new = view("A" * 40, added_on=5), view("B" * 40, added_on=9)
    first = {new.hash: new, old.hash: old}
    table.sync(first)
    assert (table.id_of(old.hash), table.id_of(new.hash)) == (1, 2)  # oldest first
    now[0] += 61
    assert table.recent() == ([], [])
    table.sync({new.hash: view(new.hash, 9)})  # A removed, B's view replaced (it changed)
    assert table.recent() == ([new.hash], [1])
    third = view("C" * 40, added_on=1)
    snapshot = {new.hash: new, third.hash: third}
    table.sync(snapshot)
    assert table.id_of(third.hash) == 3  # never 1 again
    assert table.select(snapshot, [3, 1, 99, "b" * 40]) == [new.hash, third.hash]
    assert table.select(snapshot, []) == [] and table.select(snapshot, None) == [new.hash, third.hash]
    now[0] += 61
    table.sync(dict(snapshot))  # same views in a new mapping: nothing changed
    assert table.recent() == ([], [])
    with pytest.raises(RpcError):
        table.select(snapshot, [True])
