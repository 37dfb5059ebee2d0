"""Appends copies of a table's own rows with pyiceberg: a foreign snapshot, as a user's backfill makes.

  append_copies.py --catalog sql --uri sqlite:////tmp/x/catalog.db --namespace health \\
      --table health_data_raw --rows 5 --mark sample_id

Takes the first N rows a scan returns, sets the string column named by --mark to `foreign-<i>` (so
the copies are told from the originals), and appends them in one pyiceberg snapshot, whose summary
carries nothing of ours. A commit that loses the race to another writer is retried on the new table.
Prints {"snapshotId", "rows"} as JSON.
"""

from __future__ import annotations

import argparse
import json
import time

import pyarrow as pa
from pyiceberg.exceptions import CommitFailedException

from lakecommon import add_catalog_args, fail, open_catalog, run_cli, table_identifier

ATTEMPTS = 20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_catalog_args(parser)
    parser.add_argument('--rows', type=int, required=True, help='how many rows to copy')
    parser.add_argument('--mark', required=True, help='string column set to foreign-<i> in the copies')
    args = parser.parse_args()
    catalog = open_catalog(args)
    identifier = table_identifier(args)
    table = catalog.load_table(identifier)
    rows = table.scan(limit=args.rows).to_arrow().slice(0, args.rows)
    if rows.num_rows < args.rows:
        fail(f'the table holds {rows.num_rows} rows, fewer than the {args.rows} to copy')
    at = rows.schema.get_field_index(args.mark)
    marks = pa.array([f'foreign-{i}' for i in range(rows.num_rows)], type=rows.schema.field(at).type)
    copies = rows.set_column(at, rows.schema.field(at), marks)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            table.append(copies)
            break
        except CommitFailedException:
            if attempt == ATTEMPTS:
                raise
            time.sleep(0.1 * attempt)
            table = catalog.load_table(identifier)
    snapshot = table.current_snapshot()
    print(json.dumps({'snapshotId': str(snapshot.snapshot_id), 'rows': copies.num_rows}))
    return 0


if __name__ == '__main__':
    run_cli(main)
