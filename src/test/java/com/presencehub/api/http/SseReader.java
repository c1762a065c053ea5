package com.presencehub.api.http;

import com.presencehub.api.ApiHub;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/** A Server-Sent Events client (the text/event-stream format, parsed line by line), for tests. */
public final class SseReader implements AutoCloseable {

  /** One dispatched event. */
  public record Event(String id, String type, String data) {
    public JsonObject json() {
      return new JsonObject(data);
    }
  }

  private final HttpClient client;
  private final List<Event> events = new ArrayList<>();
  private final List<String> comments = new ArrayList<>();
  private final StringBuilder pending = new StringBuilder();
  private String id;
  private String type;
  private StringBuilder data;
  private final HttpClientResponse response;

  private SseReader(HttpClient client, HttpClientResponse response) {
    this.client = client;
    this.response = response;
  }

  /** Opens {@code GET path} with the token (and a Last-Event-ID when not null); waits for the headers. */
  public static SseReader open(Vertx vertx, int port, String path, String token, String lastEventId) {
    HttpClient client = vertx.createHttpClient();
    RequestOptions o = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port).setURI(path)
        .putHeader("Accept", "text/event-stream");
    if (token != null) {
      o.putHeader("Authorization", "Bearer " + token);
    }
    if (lastEventId != null) {
      o.putHeader("Last-Event-ID", lastEventId);
    }
    SseReader[] reader = new SseReader[1];
    // The handler is set on the event loop as the headers arrive: a chunk that came before it
    // would be lost.
    ApiHub.await(client.request(o).compose(r -> r.send()).onSuccess(resp -> {
      reader[0] = new SseReader(client, resp);
      resp.handler(buf -> reader[0].feed(buf.toString()));
    }));
    return reader[0];
  }

  public HttpClientResponse response() {
    return response;
  }

  private synchronized void feed(String text) {
    pending.append(text);
    int nl;
    while ((nl = pending.indexOf("\n")) >= 0) {
      String line = pending.substring(0, nl);
      pending.delete(0, nl + 1);
      line(line);
    }
  }

  private void line(String line) {
    if (line.isEmpty()) {
      if (data != null) {
        events.add(new Event(id, type == null ? "message" : type, data.toString()));
      }
      type = null;
      data = null;
      return;
    }
    if (line.startsWith(":")) {
      comments.add(line.substring(1).trim());
      return;
    }
    int colon = line.indexOf(':');
    String field = colon < 0 ? line : line.substring(0, colon);
    String value = colon < 0 ? "" : line.substring(colon + 1).replaceFirst("^ ", "");
    switch (field) {
      case "id" -> id = value;
      case "event" -> type = value;
      case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
      default -> { }
    }
  }

  public synchronized List<Event> events() {
    return List.copyOf(events);
  }

  public synchronized List<String> comments() {
    return List.copyOf(comments);
  }

  /** The change events of {@code user}, in order. */
  public synchronized List<JsonObject> changesOf(String user) {
    List<JsonObject> out = new ArrayList<>();
    for (Event e : events) {
      if (e.type().equals("change") && user.equals(e.json().getString("user"))) {
        out.add(e.json());
      }
    }
    return out;
  }

  /** Waits until an event matches; returns it. */
  public Event await(Predicate<Event> match) {
    Event[] found = new Event[1];
    Awaitility.await().atMost(ApiHub.PATIENCE).until(() -> {
      for (Event e : events()) {
        if (match.test(e)) {
          found[0] = e;
          return true;
        }
      }
      return false;
    });
    return found[0];
  }

  public static Predicate<Event> change(String user, String status) {
    return e -> e.type().equals("change") && user.equals(e.json().getString("user"))
        && status.equals(e.json().getString("status"));
  }

  @Override
  public void close() {
    client.close();
  }
}
