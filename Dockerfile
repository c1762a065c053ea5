# Multi-stage build: compile with Maven, run on a JRE.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -q -B dependency:go-offline
COPY src src
RUN mvn -q -B -DskipTests -Dskip.npm=true package

FROM eclipse-temurin:17-jre
WORKDIR /app
COPY --from=build /src/target/presence-hub.jar /app/presence-hub.jar
COPY conf /app/conf
EXPOSE 8080
# SIGTERM (docker stop) closes sessions with 4503 so clients reconnect elsewhere.
ENTRYPOINT ["java", "-XX:+UseG1GC", "-XX:MaxRAMPercentage=75", "-jar", "/app/presence-hub.jar"]
