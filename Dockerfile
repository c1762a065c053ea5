# Multi-stage build: compile with Maven, run on a JRE.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -q -B dependency:go-offline
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
EXPOSE 8080
# SIGTERM (docker stop) closes sessions with 4503 so clients reconnect elsewhere.
USER 10001:10001
# Container-aware heap: 75 % of the container's memory limit; exit (and be restarted) on OOM.
ENTRYPOINT ["java", "-XX:+UseG1GC", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/presence-hub.jar"]
