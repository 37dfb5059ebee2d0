#!/bin/sh
KAFKA_HEAP_OPTS=-Xmx256m exec kafka-run-class.sh kafka.tools.StorageTool "$@"
