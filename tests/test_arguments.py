import numpy as np
import pytest

from zoo.arguments import check_int


def test_check_int_returns_python_int():
    assert check_int("batch_size", np.int64(4)) == 4
    assert type(check_int("batch_size", np.int64(4))) is int
    assert check_int("overlap", 0, minimum=0) == 0


@pytest.mark.parametrize("value", [2.0, "3", None, True, np.float32(2)])
def test_check_int_rejects_non_integers_naming_the_argument(value):
    with pytest.raises(TypeError, match="`tile_size` must be an int"):
        check_int("tile_size", value)


def test_check_int_rejects_values_below_minimum():
    with pytest.raises(ValueError, match=r"`every` must be an int >= 1. Received: every=0"):
        check_int("every", 0)
    with pytest.raises(ValueError, match=">= 2"):
        check_int("sequence_length", 1, minimum=2)
