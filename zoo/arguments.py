"""Checks of user arguments, with errors that name the argument."""

import numbers


def check_int(name, value, minimum=1):
    """Returns `value` as a Python int, or raises an error naming `name`.

    `TypeError` unless `value` is an integer (a NumPy integer counts; `True`
    does not, it is surely a mistake); `ValueError` when below `minimum`.

    Example:
    >>> check_int("batch_size", 8)
    8
    >>> check_int("overlap", 0, minimum=0)
    0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"`{name}` must be an int. Received: {name}={value!r}")
    if value < minimum:
        raise ValueError(f"`{name}` must be an int >= {minimum}. Received: {name}={value!r}")
    return int(value)
