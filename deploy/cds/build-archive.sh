#!/usr/bin/env bash
# Builds an AppCDS archive (JDK 17 dynamic archive, JEP 350) of the hub's classes: a training run of
# the jar with -XX:ArchiveClassesAtExit, clustered as a one-node cluster on loopback so Hazelcast's
# classes are in it too, stopped with SIGTERM once /health/ready answers 200. A node started with
# -XX:SharedArchiveFile=ARCHIVE then maps those classes (parsed and verified) instead of loading them
# from the jar. The archive fits one JVM build and one jar: run this with the java that will run the
# hub, on the jar at the path it will have (the JVM checks both, and ignores a mismatching archive
# with a warning). Figures: bench/RESULTS.md "Cold start".
#
#   deploy/cds/build-archive.sh JAR ARCHIVE [extra java flags…]
#
# Uses loopback ports CDS_HTTP_PORT (default 18470) and CDS_CLUSTER_PORT (18471). No curl needed:
# bash's /dev/tcp asks for /health/ready (the JRE image has no HTTP client).
set -euo pipefail
jar=${1:?usage: build-archive.sh JAR ARCHIVE [java flags]}
out=${2:?usage: build-archive.sh JAR ARCHIVE [java flags]}
shift 2
http=${CDS_HTTP_PORT:-18470}
hz=${CDS_CLUSTER_PORT:-18471}
rm -f "$out"
# A throw-away random secret for the training run: no secret is shipped in this file, and nothing
# the training node signs or accepts outlives it.
training_secret=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
PRESENCE_HTTP_HOST=127.0.0.1 PRESENCE_HTTP_PORT=$http \
PRESENCE_JWT_SECRET="$training_secret" \
PRESENCE_CLUSTER=true PRESENCE_CLUSTER_NAME="cds-training-$$" PRESENCE_CLUSTER_HOST=127.0.0.1 \
PRESENCE_CLUSTER_PORT=$hz PRESENCE_CLUSTER_MEMBERS=127.0.0.1:$hz PRESENCE_NODE_ID=cds-training \
  java "$@" -Xlog:cds=error -XX:ArchiveClassesAtExit="$out" -jar "$jar" --cluster &
pid=$!
ready() {
  exec 3<>"/dev/tcp/127.0.0.1/$http" || return 1
  printf 'GET /health/ready HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
  local status
  read -r status <&3 || return 1
  exec 3<&-
  [[ $status == *" 200"* ]]
}
for _ in $(seq 1 240); do
  if ! kill -0 "$pid" 2>/dev/null; then echo "the training run exited early" >&2; exit 1; fi
  if (ready) 2>/dev/null; then break; fi
  sleep 0.5
done
# The metrics and health routes too, then a graceful stop: the archive is written at exit.
for path in /metrics /health/live; do
  (exec 3<>"/dev/tcp/127.0.0.1/$http" && printf 'GET %s HTTP/1.0\r\n\r\n' "$path" >&3 && cat <&3 >/dev/null) 2>/dev/null || true
done
kill -TERM "$pid"
wait "$pid" || true
test -s "$out"
echo "CDS archive $out: $(stat -c %s "$out") bytes"
