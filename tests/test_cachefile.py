"""The build cache's files: what is saved loads back as it was, anything else loads as
nothing, and loading pauses Python's cycle collector only while marshal makes the values."""

from __future__ import annotations

import gc
import marshal

import pytest

from casebook import cachefile


def test_a_saved_value_loads_back(tmp_path) -> None:
    value = ("key", {"page/index.html": ((("a-story", b"\x01" * 32),), None, (), None, 1, 2, 3)})
    cachefile.save(tmp_path / "record.marshal", value)
    assert cachefile.load(tmp_path / "record.marshal", 2) == value


@pytest.mark.parametrize(
    "data",
    [b"", b"not marshal", marshal.dumps(("one", "two", "three")), marshal.dumps(["a", "b"])],
    ids=["empty", "garbage", "another size", "not a tuple"],
)
def test_anything_else_loads_as_nothing(tmp_path, data: bytes) -> None:
    (tmp_path / "record.marshal").write_bytes(data)
    assert cachefile.load(tmp_path / "record.marshal", 2) is None
    assert cachefile.load(tmp_path / "missing.marshal", 2) is None


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_paused_while_marshal_makes_the_values(
    tmp_path, monkeypatch, enabled: bool
) -> None:
    cachefile.save(tmp_path / "record.marshal", ("key", "value"))
    during: list[bool] = []
    real = marshal.loads

    def loads(data: bytes) -> object:
        during.append(gc.isenabled())
        return real(data)

    monkeypatch.setattr(cachefile.marshal, "loads", loads)
    (gc.enable if enabled else gc.disable)()
    try:
        assert cachefile.load(tmp_path / "record.marshal", 2) == ("key", "value")
        assert during == [False]
        assert gc.isenabled() is enabled  # as it was before
        (tmp_path / "record.marshal").write_bytes(b"not marshal")
        assert cachefile.load(tmp_path / "record.marshal", 2) is None
        assert gc.isenabled() is enabled  # also after marshal failed
    finally:
        gc.enable()
