#!/bin/sh
# The apicurio-registry stand-in's launcher: JAVA_OPTS (replaces the defaults) and JAVA_OPTS_APPEND
# (extends them), as upstream's run-java.sh takes them; the configuration is in the environment.
exec java ${JAVA_OPTS} ${JAVA_OPTS_APPEND:-} -jar /deployments/quarkus-run.jar "$@"
