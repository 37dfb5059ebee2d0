"""Asks a table, with the one pyiceberg call the lake-writer's README documents, whether it is complete
before an instant (services/lake-writer/README.md, "Completeness"):

  complete_before.py --catalog sql --uri sqlite:////tmp/x/catalog.db --namespace health \\
      --table health_data_raw --before 2026-01-21T00:00:00Z

Prints {"complete": <the one-liner's answer>, "completeBefore": <the summary value or null>} as JSON.
"""

from __future__ import annotations

import argparse
import json

from lakecommon import add_catalog_args, open_catalog, run_cli, table_identifier


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_catalog_args(parser)
    parser.add_argument('--before', required=True, help='an instant as YYYY-MM-DDTHH:MM:SSZ')
    args = parser.parse_args()
    table = open_catalog(args).load_table(table_identifier(args))
    day_end = args.before
    # The documented one-liner, verbatim:
    complete = (table.current_snapshot().summary.get("healthstream.complete-before") or "") >= day_end
    value = table.current_snapshot().summary.get('healthstream.complete-before')
    print(json.dumps({'complete': complete, 'completeBefore': value}))
    return 0


if __name__ == '__main__':
    run_cli(main)
