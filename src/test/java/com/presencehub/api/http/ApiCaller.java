package com.presencehub.api.http;

import static org.junit.jupiter.api.Assertions.fail;

import com.presencehub.api.ApiHub;
import com.presencehub.testing.TestTokens;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A service calling a node's HTTP API with the JDK's HTTP client (nothing of the hub's code), that
 * checks <em>every</em> answer against openapi.yaml with vertx-openapi's ResponseValidator: status
 * documented for the operation, headers and body matching their schemas.
 */
public final class ApiCaller {

  /** Every answer checked, by every caller of the run: a test can assert the checks happened. */
  public static final AtomicInteger VALIDATED = new AtomicInteger();

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final int port;
  private final ResponseValidator validator;
  private final TestTokens tokens;

  /** What came back. */
  public record Answer(int status, Map<String, List<String>> headers, String text) {
    public JsonObject json() {
      return new JsonObject(text);
    }

    public String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue().get(0);
        }
      }
      return null;
    }

    @Override
    public String toString() {
      return status + " " + text;
    }
  }

  public ApiCaller(Vertx vertx, int port) {
    this.port = port;
    this.validator = ResponseValidator.create(vertx, ApiHub.await(HttpApi.contract(vertx)));
    this.tokens = new TestTokens(vertx);
  }

  /** A service token for {@code tenant}, valid for an hour. */
  public String serviceToken(String tenant) {
    return token(tenant, "svc-1", "service");
  }

  public String token(String tenant, String sub, String role) {
    return tokens.sign(new JsonObject().put("sub", sub).put("tenant", tenant).put("role", role),
        new JWTOptions().setExpiresInSeconds(3600));
  }

  public TestTokens tokens() {
    return tokens;
  }

  public Answer get(String path, String token) {
    return send(HttpRequest.newBuilder(uri(path)).GET(), path, token);
  }

  public Answer post(String path, String token, String body) {
    return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)), path, token);
  }

  public Answer post(String path, String token, JsonObject body) {
    return post(path, token, body.encode());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private Answer send(HttpRequest.Builder b, String path, String token) {
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    b.timeout(ApiHub.PATIENCE);
    HttpResponse<String> r;
    try {
      r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(path + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    Answer a = new Answer(r.statusCode(), r.headers().map(), r.body());
    check(path, a);
    return a;
  }

  /** Validates {@code a} against the operation {@code path} names; unknown paths must be a 404 error. */
  private void check(String path, Answer a) {
    String op = HttpApi.route(path.split("\\?")[0]);
    if (op.equals("other")) {
      if (path.startsWith("/api/v1/") && !path.startsWith("/api/v1/openapi.yaml")) {
        JsonObject e = a.json();
        if (e.getString("code") == null || e.getString("message") == null) {
          fail("not an error body: " + a);
        }
        VALIDATED.incrementAndGet();
      }
      return;
    }
    Map<String, String> headers = new HashMap<>();
    a.headers.forEach((k, v) -> headers.put(k, v.get(0)));
    String type = a.header("content-type");
    ValidatableResponse response = a.text.isEmpty() ? ValidatableResponse.create(a.status, headers)
        : ValidatableResponse.create(a.status, headers, Buffer.buffer(a.text), type == null ? null : type.split(";")[0]);
    try {
      ApiHub.await(validator.validate(response, op));
    } catch (RuntimeException | AssertionError e) {
      throw new AssertionError("answer to " + path + " does not match openapi.yaml (" + op + "): " + a + ": " + e, e);
    }
    VALIDATED.incrementAndGet();
  }
}
