#!/bin/sh
KAFKA_HEAP_OPTS=-Xmx256m exec kafka-run-class.sh org.apache.kafka.tools.BrokerApiVersionsCommand "$@"
