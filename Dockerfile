# Multi-stage build: compile with Maven, run on a JRE.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# The root pom is the parent of two modules: clients/java (the Java client) and hub (only a pom,
# building the root's src/ into /src/target). The reactor builds the client first and hands it to the
# hub; `dependency:go-offline` cannot run on the poms alone any more (the hub depends on the client
# module, which is not built yet), so dependencies download in the build step.
COPY pom.xml .
COPY hub/pom.xml hub/
COPY clients/java clients/java
COPY src src
RUN mvn -q -B -DskipTests -Dskip.npm=true package

FROM eclipse-temurin:17-jre
# A non-root user with a fixed UID (deploy/k8s runs the pod as 10001 with runAsNonRoot).
RUN groupadd --system --gid 10001 presence && useradd --system --uid 10001 --gid presence --no-create-home presence
WORKDIR /app
COPY --from=build /src/target/presence-hub.jar /app/presence-hub.jar
# conf/config.json holds no secret: give the container PRESENCE_JWT_SECRET (at least 32 bytes) or
# PRESENCE_JWT_PUBLIC_KEY. Without either the node runs in development mode, bound to 127.0.0.1
# inside the container, unreachable from outside it.
COPY conf /app/conf
# AppCDS (deploy/cds/build-archive.sh): a training start of this jar on this JRE writes the archive
# of the classes it loaded; every start then maps them instead of loading them from the jar: half the
# start time and CPU (bench/RESULTS.md "JVM start of a node"). Same GC and heap flags as the
# ENTRYPOINT, so the archive fits; a JVM that cannot use it says so and starts without it.
COPY deploy/cds/build-archive.sh /tmp/build-archive.sh
RUN bash /tmp/build-archive.sh /app/presence-hub.jar /app/presence-hub.jsa -XX:+UseG1GC -XX:MaxRAMPercentage=75 \
    -XX:MaxHeapFreeRatio=15 -XX:MinHeapFreeRatio=5 -XX:G1PeriodicGCInterval=10000 \
    && rm /tmp/build-archive.sh
EXPOSE 8080
# SIGTERM (docker stop) closes sessions with 4503 so clients reconnect elsewhere.
USER 10001:10001
# Container-aware heap: 75 % of the container's memory limit; exit (and be restarted) on OOM.
# Memory given back when idle (bench/RESULTS.md "Issue 15, RSS"): a node that ran no GC for 10 s runs
# a concurrent cycle, which shrinks the committed heap to at most 15 % free: 11 KiB of RSS per idle
# session at 15,000 instead of 19 (the heap grown for the set-up's garbage, kept committed); no CPU
# cost measurable on set-up, churn or activity, ~1 % of a core while the sessions idle.
# JAVA_OPTS (e.g. `docker run -e JAVA_OPTS=-XX:MaxRAMPercentage=60 …`, or the pod's env) comes after
# these flags, so an operator's value wins; JAVA_TOOL_OPTIONS would not (the JVM reads it first and
# the command line overrides it). Arguments after the image name go to the hub (`… image --version`).
# `exec` makes java PID 1's replacement, so SIGTERM reaches it.
ENTRYPOINT ["sh", "-c", "exec java -XX:+UseG1GC -XX:MaxRAMPercentage=75 -XX:MaxHeapFreeRatio=15 -XX:MinHeapFreeRatio=5 -XX:G1PeriodicGCInterval=10000 -XX:+ExitOnOutOfMemoryError -XX:SharedArchiveFile=/app/presence-hub.jsa $JAVA_OPTS -jar /app/presence-hub.jar \"$@\"", "presence-hub"]
