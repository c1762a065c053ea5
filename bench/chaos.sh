#!/usr/bin/env bash
# The long chaos run of issue 12: 3 hub JVMs on 127.0.0.1, several hundred users over raw WebSocket,
# SockJS WebSocket and xhr-polling, faults (kill -9, SIGSTOP/SIGCONT, SIGTERM, overlapping) on the
# publisher and the others for SECONDS, then the stream checker and the views (ChaosTest).
#   bench/chaos.sh [SECONDS=480] [USERS=450] [SEED=7]
# Prints the figures line ("chaos: …"); node logs in target/cluster-logs/ChaosTest-n*.log.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_=${1:-480}
USERS=${2:-450}
SEED=${3:-7}
mvn -q -B -o -Dskip.npm=true test -Dtest=ChaosTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dpresence.chaos.seconds="$SECONDS_" -Dpresence.chaos.users="$USERS" -Dpresence.chaos.seed="$SEED" \
  -Dpresence.chaos.mixed=true || status=$?
grep -h '^chaos:\|^SIGTERM offline' target/surefire-reports/com.presencehub.cluster.ChaosTest-output.txt || true
exit "${status:-0}"
