#!/usr/bin/env bash
# Stand-in for Kafka's tool of that name, enough for the compose health check: succeeds when the broker named by
# --bootstrap-server accepts TCP connections (the real tool also asks it for its API versions).
server=localhost:9092
while [ $# -gt 0 ]; do
  case "$1" in --bootstrap-server) server=$2; shift 2 ;; --bootstrap-server=*) server=${1#*=}; shift ;; *) shift ;; esac
done
exec timeout 5 bash -c "exec 3<>/dev/tcp/${server%:*}/${server##*:}"
