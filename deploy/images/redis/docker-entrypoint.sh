#!/bin/sh
# The redis stand-in's entry point, with upstream's argument rules.
set -e
case "$1" in
  -* | *.conf) set -- redis-server "$@" ;;
esac
if [ "$1" = redis-server ]; then
  shift
  # A config file must come first; later options override earlier ones, so the user's win
  case "$1" in
    *.conf) conf=$1; shift; set -- "$conf" --protected-mode no "$@" ;;
    *) set -- --protected-mode no "$@" ;;
  esac
  exec redis-server "$@"
fi
exec "$@"
