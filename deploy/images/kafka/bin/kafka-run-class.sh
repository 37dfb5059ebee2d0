#!/bin/sh
# The stand-in's launcher (upstream's kafka-run-class.sh, reduced): java with the jars in /opt/kafka/libs
exec java ${KAFKA_HEAP_OPTS:-} ${KAFKA_JVM_PERFORMANCE_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true} \
  ${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=/opt/kafka/config/log4j2.properties} ${KAFKA_OPTS:-} \
  -cp '/opt/kafka/libs/*' "$@"
