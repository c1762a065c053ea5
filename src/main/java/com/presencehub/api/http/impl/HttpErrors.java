package com.presencehub.api.http.impl;

import com.presencehub.api.http.HttpApi;
import com.presencehub.logging.LogLimiter;
import com.presencehub.protocol.FieldError;
import com.presencehub.protocol.RequestFailure;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTTP API's error answers (PROTOCOL.md §8): {@code {"code","message"}} with the status, the
 * 400 message starting with the field it is about, whether the OpenAPI validation (vertx-openapi)
 * or the contract's field rules ({@link com.presencehub.protocol.FieldRules}) refused it.
 */
public final class HttpErrors {

  private static final Logger LOG = LoggerFactory.getLogger(HttpErrors.class);
  private static final LogLimiter FAILURE_LINES = new LogLimiter(5, 10_000);
  private static final Pattern PARAMETER = Pattern.compile("(?:query|path|header|cookie) parameter ([^ .]+)");
  private static final Pattern REQUIRED_PROPERTY = Pattern.compile("required property \"([^\"]+)\"");

  private HttpErrors() {
  }

  public static void send(RoutingContext rc, int status, String code, String message) {
    send(rc, status, RequestFailure.errorBody(code, message));
  }

  public static void send(RoutingContext rc, int status, JsonObject body) {
    HttpServerResponse resp = rc.response();
    if (resp.headWritten()) {
      resp.reset();
      return;
    }
    resp.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.toBuffer());
  }

  /** The router's failure handler: turns whatever failed into the documented error. */
  public static void handle(RoutingContext rc) {
    Throwable f = rc.failure();
    if (f instanceof ServiceAuth.Refused r) {
      if (r.status() == 401) {
        rc.response().putHeader("WWW-Authenticate", "Bearer");
      }
      send(rc, r.status(), r.status() == 401 ? "unauthorized" : "forbidden", r.getMessage());
      return;
    }
    if (f instanceof FieldError e) {
      // The §5 field name where the HTTP one differs (users → user), so the message names what the caller sent.
      String field = e.field() != null && rc.get(FIELD_RENAME) instanceof String[] ren && e.field().startsWith(ren[0])
          ? ren[1] + e.field().substring(ren[0].length()) : e.field();
      send(rc, 400, "bad_request", new FieldError(field, e.reason()).getMessage());
      return;
    }
    if (f instanceof RequestFailure r) {
      send(rc, r.code(), r.toJson());
      return;
    }
    if (f instanceof HttpException h && h.getCause() instanceof ValidatorException v) {
      send(rc, 400, "bad_request", validation(v));
      return;
    }
    int status = rc.statusCode() > 0 ? rc.statusCode() : f instanceof HttpException h ? h.getStatusCode() : 500;
    switch (status) {
      case 400 -> send(rc, 400, "bad_request", "request: " + (f == null ? "malformed" : f.getMessage()));
      case 404 -> send(rc, 404, "not_found", "path: no such resource " + rc.request().path());
      case 405 -> send(rc, 405, "method_not_allowed", "method: " + rc.request().method() + " is not allowed here");
      case 413 -> send(rc, 413, "too_large", "request: the body is too large");
      default -> {
        // One short line, rate-limited: whatever a client can provoke must not flood the log.
        String suffix = FAILURE_LINES.admit(System.currentTimeMillis());
        if (suffix != null) {
          LOG.warn("HTTP API " + rc.request().method() + " " + HttpApi.route(rc.request().path()) + " failed with "
              + status + ": " + (f == null ? "no exception" : f.getClass().getSimpleName()) + suffix);
        }
        LOG.debug("HTTP API request failed", f);
        send(rc, 500, "internal", "internal: the request failed on this node (status " + status + ")");
      }
    }
  }

  /**
   * For the gateway's own failure handler: what failed under {@code /api/v1/} before the API's
   * router took it (a path vertx-web cannot normalise, say) is answered as the API answers, JSON.
   */
  public static void outsideRouter(RoutingContext rc, int status) {
    if (rc.response().ended()) {
      return;
    }
    switch (status) {
      case 400 -> {
        String problem = RequestTarget.problem(rc.request().path(), rc.request().query());
        send(rc, 400, "bad_request", problem != null ? problem : "request: malformed");
      }
      case 404 -> send(rc, 404, "not_found", "path: no such resource");
      case 405 -> send(rc, 405, "method_not_allowed", "method: " + rc.request().method() + " is not allowed here");
      case 413 -> send(rc, 413, "too_large", "request: the body is too large");
      default -> send(rc, 500, "internal", "internal: the request failed on this node (status " + status + ")");
    }
  }

  /** Set on a context whose §5 field names differ from the HTTP ones: {@code {"users","user"}}. */
  public static final String FIELD_RENAME = "presence.fieldRename";

  /** {@code field: reason} from vertx-openapi's message and output unit. */
  static String validation(ValidatorException v) {
    String message = v.getMessage();
    if (v instanceof SchemaValidationException s && s.getOutputUnit() != null) {
      List<OutputUnit> errors = s.getOutputUnit().getErrors();
      OutputUnit last = errors == null || errors.isEmpty() ? s.getOutputUnit() : errors.get(errors.size() - 1);
      String where = pointer(last.getInstanceLocation());
      String error = last.getError() == null ? message : last.getError();
      Matcher req = REQUIRED_PROPERTY.matcher(error);
      Matcher param = PARAMETER.matcher(message);
      if (req.find()) {
        return (where.isEmpty() ? "" : where + ".") + req.group(1) + ": is required";
      }
      if (param.find()) {
        return param.group(1) + (where.isEmpty() ? "" : where) + ": " + error;
      }
      if (message.contains("request body is missing")) {
        return "request: a JSON body is required";
      }
      return (where.isEmpty() ? "request" : where) + ": " + error;
    }
    Matcher param = PARAMETER.matcher(message);
    if (message.contains("does not contain the required") && param.find()) {
      return param.group(1) + ": is required";
    }
    if (param.find(0)) {
      return param.group(1) + ": " + message;
    }
    // vertx-openapi's wording for a body that is not there (a form or multipart body, parsed away
    // by the BodyHandler) or not JSON: said as docs/http-api.md "Errors" does.
    if (message.contains("does not contain the required body")) {
      return "Content-Type: must be application/json, with a JSON body";
    }
    if (message.contains("request body can't be decoded")) {
      return "request: the body is not valid JSON (" + message + ")";
    }
    if (message.contains("format of the request body is not supported") || message.toLowerCase().contains("content type")) {
      return "Content-Type: must be application/json";
    }
    if (message.toLowerCase().contains("content type")) {
      return "Content-Type: " + message;
    }
    return "request: " + message;
  }

  /** {@code #/from/id} → {@code from.id}, {@code /users/2} → {@code users[2]}; root → empty. */
  static String pointer(String location) {
    if (location == null) {
      return "";
    }
    String p = location.startsWith("#") ? location.substring(1) : location;
    StringBuilder out = new StringBuilder();
    for (String part : p.split("/")) {
      if (part.isEmpty()) {
        continue;
      }
      if (part.chars().allMatch(Character::isDigit)) {
        out.append('[').append(part).append(']');
      } else {
        if (out.length() > 0) {
          out.append('.');
        }
        out.append(part.replace("~1", "/").replace("~0", "~"));
      }
    }
    return out.toString();
  }
}
