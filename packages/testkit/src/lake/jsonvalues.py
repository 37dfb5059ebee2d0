"""The JSON forms every lake reader prints for scalar values (read_table.py, spark_sql.py).

Longs beyond 2^53 - 1 as decimal strings, NaN / Infinity / -Infinity as strings, decimals as
strings, binary as base64. Imports nothing outside the standard library: both venvs use it.
"""

from __future__ import annotations

import base64
import decimal
import math
from typing import Any

MAX_SAFE_INTEGER = 2**53 - 1

#: What `scalar` returns for a value that is not a scalar it knows.
NOT_SCALAR = object()


def scalar(value: Any) -> Any:
    """The JSON-safe form of a scalar value, or NOT_SCALAR for anything else (dates, nested values)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value if abs(value) <= MAX_SAFE_INTEGER else str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return 'NaN'
        if math.isinf(value):
            return 'Infinity' if value > 0 else '-Infinity'
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode('ascii')
    return NOT_SCALAR
