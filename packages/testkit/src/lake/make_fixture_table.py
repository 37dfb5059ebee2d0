"""Creates a small, known Iceberg table with pyiceberg, for tests of the readers.

  make_fixture_table.py --catalog sql --uri sqlite:////tmp/x/catalog.db --warehouse file:///tmp/x/wh \\
      --namespace fixture --table readings [--s3-endpoint ...]

The table (format v2, partitioned by day(recorded_at)) gets two appends, so it has two snapshots:
  1. rows 1 and 2, snapshot property healthstream.test=first
  2. row 3,        snapshot property healthstream.test=second
Prints {"metadataLocation", "location", "snapshotId"} as JSON (the snapshot id as a string).
The rows are fixed here; packages/testkit/test/lake/readers.int.test.ts holds what the readers must print.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json

import pyarrow as pa
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import DayTransform
from pyiceberg.types import (
    BinaryType,
    DateType,
    DoubleType,
    LongType,
    NestedField,
    StringType,
    TimestamptzType,
)

from lakecommon import add_catalog_args, fail, open_catalog, run_cli, table_identifier

UTC = dt.timezone.utc

SCHEMA = Schema(
    NestedField(1, 'id', LongType(), required=True),
    NestedField(2, 'name', StringType(), required=False),
    NestedField(3, 'reading', DoubleType(), required=False),
    NestedField(4, 'recorded_at', TimestamptzType(), required=True),
    NestedField(5, 'day', DateType(), required=False),
    NestedField(6, 'payload', BinaryType(), required=False),
    NestedField(7, 'big', LongType(), required=False),
)

SPEC = PartitionSpec(
    PartitionField(source_id=4, field_id=1000, transform=DayTransform(), name='recorded_at_day')
)

ARROW_SCHEMA = pa.schema(
    [
        pa.field('id', pa.int64(), nullable=False),
        pa.field('name', pa.string()),
        pa.field('reading', pa.float64()),
        pa.field('recorded_at', pa.timestamp('us', tz='UTC'), nullable=False),
        pa.field('day', pa.date32()),
        pa.field('payload', pa.binary()),
        pa.field('big', pa.int64()),
    ]
)

FIRST = {
    'id': [1, 2],
    'name': ['alpha', None],
    'reading': [72.5, float('nan')],
    'recorded_at': [
        dt.datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=UTC),
        dt.datetime(2026, 1, 3, 0, 0, 0, 1, tzinfo=UTC),
    ],
    'day': [dt.date(2026, 1, 2), None],
    'payload': [b'\x00\x01\xfe\xff', None],
    'big': [9007199254740993, -1],  # 2^53 + 1 does not fit a JavaScript number
}

SECOND = {
    'id': [3],
    'name': ['ünïcödé "quoted"\n'],
    'reading': [float('-inf')],
    'recorded_at': [dt.datetime(1970, 1, 1, tzinfo=UTC)],
    'day': [dt.date(1969, 12, 31)],
    'payload': [b''],
    'big': [None],
}


def main() -> int:
    parser = argparse.ArgumentParser(description='Create a known Iceberg table with pyiceberg')
    add_catalog_args(parser)
    args = parser.parse_args()
    catalog = open_catalog(args, create=True)
    identifier = table_identifier(args)
    namespace = identifier[:-1]
    catalog.create_namespace_if_not_exists(namespace)
    if catalog.table_exists(identifier):
        fail(f'table {".".join(identifier)} already exists')
    table = catalog.create_table(
        identifier, schema=SCHEMA, partition_spec=SPEC, properties={'format-version': '2'}
    )
    table.append(pa.table(FIRST, schema=ARROW_SCHEMA), snapshot_properties={'healthstream.test': 'first'})
    table.append(pa.table(SECOND, schema=ARROW_SCHEMA), snapshot_properties={'healthstream.test': 'second'})
    table = catalog.load_table(identifier)
    snapshot = table.current_snapshot()
    print(
        json.dumps(
            {
                'metadataLocation': table.metadata_location,
                'location': table.location(),
                'snapshotId': None if snapshot is None else str(snapshot.snapshot_id),
            }
        )
    )
    return 0


if __name__ == '__main__':
    run_cli(main)
