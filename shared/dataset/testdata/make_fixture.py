#!/usr/bin/env python3
"""Writes fixture.parquet, the Parquet fixture of the dataset package tests.

Run from this directory: python3 make_fixture.py (needs pyarrow).
Five rows in two row groups (3 + 2), covering the physical and logical
types the reader maps, nulls, and two columns it must leave out (a list and
a struct).
"""
import datetime
import decimal

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

utc = datetime.timezone.utc
table = pa.table({
    "id": pa.array([1, 2, 3, 4, 5], pa.int64()),
    "amount": pa.array([12.5, None, -3.25, 0.0, 1e6], pa.float64()),
    "ratio": pa.array([0.5, 0.25, None, 1.0, -2.0], pa.float32()),
    "half": pa.array(np.array([1.5, -2.0, 0.0, 65504.0, 2.0**-24], dtype=np.float16)),
    "count": pa.array([10, 20, None, 40, -50], pa.int32()),
    "small": pa.array([1, 2, 3, 255, None], pa.uint8()),
    "big": pa.array([2**63 + 1, 0, None, 1, 2], pa.uint64()),
    "price": pa.array([decimal.Decimal("19.99"), decimal.Decimal("-0.01"), None,
                       decimal.Decimal("100.00"), decimal.Decimal("0.00")], pa.decimal128(10, 2)),
    "flag": pa.array([True, False, None, True, False], pa.bool_()),
    "country": pa.array(["DE", "FR", None, "DE", ""], pa.string()),
    "day": pa.array([datetime.date(2026, 11, 26), None, datetime.date(1970, 1, 1),
                     datetime.date(2000, 2, 29), datetime.date(1969, 12, 31)], pa.date32()),
    "ts": pa.array([datetime.datetime(2026, 11, 26, 20, 0, 0, tzinfo=utc), None,
                    datetime.datetime(2026, 11, 26, 20, 0, 0, 123456, tzinfo=utc),
                    datetime.datetime(1970, 1, 1, tzinfo=utc),
                    datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=utc)], pa.timestamp("us", tz="UTC")),
    "tags": pa.array([["a"], [], None, ["b", "c"], ["d"]], pa.list_(pa.string())),
    "meta": pa.array([{"k": 1}, {"k": 2}, None, {"k": 4}, {"k": 5}], pa.struct([("k", pa.int32())])),
    "label": pa.array(["fraud", "legit", "legit", "fraud", "legit"], pa.dictionary(pa.int32(), pa.string())),
})
pq.write_table(table, "fixture.parquet", row_group_size=3, compression="snappy")
