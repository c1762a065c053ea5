package com.presencehub.api.impl;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Typed, validated reads of an event-bus request's fields. The rules for ids are the gateway's
 * (non-empty strings of at most {@value #MAX_ID_LENGTH} characters), so a service and a portal
 * client are held to the same names. Every failure is a 400 that names the field.
 */
public final class RequestFields {

  /** Longest tenant or user id accepted; the same limit as the SockJS frames'. */
  public static final int MAX_ID_LENGTH = com.presencehub.gateway.IdRule.MAX_CHARACTERS;

  private final JsonObject body;
  private final String prefix;

  private RequestFields(JsonObject body, String prefix) {
    this.body = body;
    this.prefix = prefix;
  }

  /** The fields of a request body, which must be a JSON object. */
  public static RequestFields of(Object body) {
    if (!(body instanceof JsonObject o)) {
      throw ApiFailure.badRequest("request", "must be a JSON object, got "
          + (body == null ? "nothing" : body.getClass().getSimpleName()));
    }
    return new RequestFields(o, "");
  }

  public JsonObject body() {
    return body;
  }

  private String name(String field) {
    return prefix + field;
  }

  public String requiredString(String field) {
    Object v = body.getValue(field);
    if (v == null) {
      throw ApiFailure.badRequest(name(field), "is required");
    }
    if (!(v instanceof String s)) {
      throw ApiFailure.badRequest(name(field), "must be a string");
    }
    if (s.isEmpty()) {
      throw ApiFailure.badRequest(name(field), "must not be empty");
    }
    return s;
  }

  public String requiredId(String field) {
    String s = requiredString(field);
    String problem = com.presencehub.gateway.IdRule.problem(s);
    if (problem != null) {
      throw ApiFailure.badRequest(name(field), problem);
    }
    return s;
  }

  /** @return the string, or null when absent */
  public String optionalString(String field) {
    Object v = body.getValue(field);
    if (v != null && !(v instanceof String)) {
      throw ApiFailure.badRequest(name(field), "must be a string");
    }
    return (String) v;
  }

  /** @return the object, or null when absent */
  public JsonObject optionalObject(String field) {
    Object v = body.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof JsonObject o)) {
      throw ApiFailure.badRequest(name(field), "must be an object");
    }
    return o;
  }

  /** The fields of a nested object, whose failures name it as {@code field.sub}. */
  public RequestFields requiredObject(String field) {
    Object v = body.getValue(field);
    if (v == null) {
      throw ApiFailure.badRequest(name(field), "is required");
    }
    if (!(v instanceof JsonObject o)) {
      throw ApiFailure.badRequest(name(field), "must be an object");
    }
    return new RequestFields(o, name(field) + ".");
  }

  /** A non-empty list of distinct ids, at most {@code max}, in the order given. */
  public List<String> idList(String field, int max) {
    JsonArray a = requiredArray(field, "must be an array of user ids");
    if (a.size() > max) {
      throw ApiFailure.badRequest(name(field), "at most " + max + " users per request, got " + a.size());
    }
    Set<String> out = new LinkedHashSet<>();
    for (int i = 0; i < a.size(); i++) {
      Object o = a.getValue(i);
      if (!(o instanceof String s) || s.isEmpty()) {
        throw ApiFailure.badRequest(name(field) + "[" + i + "]", "must be a non-empty string");
      }
      String problem = com.presencehub.gateway.IdRule.problem(s);
      if (problem != null) {
        throw ApiFailure.badRequest(name(field) + "[" + i + "]", problem);
      }
      out.add(s);
    }
    return new ArrayList<>(out);
  }

  /** @return the array, or null when absent; never empty */
  public JsonArray optionalArray(String field, String shape) {
    return body.getValue(field) == null ? null : requiredArray(field, shape);
  }

  private JsonArray requiredArray(String field, String shape) {
    Object v = body.getValue(field);
    if (v == null) {
      throw ApiFailure.badRequest(name(field), "is required");
    }
    if (!(v instanceof JsonArray a)) {
      throw ApiFailure.badRequest(name(field), shape);
    }
    if (a.isEmpty()) {
      throw ApiFailure.badRequest(name(field), "must not be empty");
    }
    return a;
  }
}
