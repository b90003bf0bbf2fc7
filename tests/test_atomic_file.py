import json
import os

import pytest

from zoo.atomic_file import atomic_write


def test_atomic_write_replaces_the_file_whole(tmp_path):
    path = tmp_path / "deep" / "scores.json"
    with atomic_write(path, "w", encoding="utf-8") as f:
        f.write('{"a": 1}')
    assert json.loads(path.read_text()) == {"a": 1}
    assert oct(path.stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "scores.json"
    path.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_write(path, "w") as f:
            f.write("half")
            raise RuntimeError("crash mid-write")
    assert path.read_text() == "old"
    assert os.listdir(tmp_path) == ["scores.json"]


def _umask():
    umask = os.umask(0)
    os.umask(umask)
    return umask
