package com.presencehub.protocol;

import com.presencehub.presence.Contribution;
import com.presencehub.presence.Preference;
import com.presencehub.presence.PublishMark;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The parts of one streamed full state ({@link ReplicationEnvelope}: {@code
 * {"o","s","k":index,"last":bool,"c","p","w"}}), made one at a time as the sender's window opens
 * (issue 17). Each is at most {@code maxBytes} encoded (an entry larger than that alone gets a part
 * of its own), in order: contributions, preferences, marks; the last says so, and an empty state is
 * one last part. {@link ReplicationEnvelope#chunks} makes them all at once: for a node's ledger
 * (52,000 marks at 50,000 users, 13 parts) that is seconds of one event loop's time on a loaded
 * peer whose serving path is not compiled yet; one part is at most {@code maxBytes} of work.
 *
 * <p>The lists are copied ({@code List.copyOf}: free for lists that are copies already); their
 * entries are records. Not thread-safe.
 */
public final class FullStateParts implements Iterator<JsonObject> {

  private static final String[] KEYS = {"c", "p", "w"};

  private final String origin;
  private final long seq;
  private final int maxBytes;
  private final List<?>[] lists;
  /** The list and the entry in it that come next. */
  private int list;
  private int index;
  private int made;
  /** The next entry encoded already (it did not fit in the part before), and its size; null: none. */
  private Object pending;
  private int pendingBytes;

  public FullStateParts(String origin, long seq, List<Contribution> contributions, List<Preference> preferences,
      List<PublishMark> marks, int maxBytes) {
    this.origin = origin;
    this.seq = seq;
    this.maxBytes = maxBytes;
    this.lists = new List<?>[] {List.copyOf(contributions), List.copyOf(preferences), List.copyOf(marks)};
    skipEmpty();
  }

  @Override
  public boolean hasNext() {
    return made == 0 || list < lists.length;
  }

  /** Parts made so far. */
  public int made() {
    return made;
  }

  @Override
  public JsonObject next() {
    if (!hasNext()) {
      throw new NoSuchElementException("every part of the full state was made");
    }
    JsonObject part = new JsonObject().put("o", origin).put("s", seq).put("k", made).put("last", false)
        .put("c", new JsonArray()).put("p", new JsonArray()).put("w", new JsonArray());
    // The skeleton, and room for "last":true and a longer index.
    int size = part.toBuffer().length() + 12;
    boolean empty = true;
    while (list < lists.length) {
      if (pending == null) {
        pending = encode(list, lists[list].get(index));
        pendingBytes = EncodedSize.bytes(pending) + 1;
      }
      if (!empty && size + pendingBytes > maxBytes) {
        break;
      }
      part.getJsonArray(KEYS[list]).add(pending);
      size += pendingBytes;
      empty = false;
      pending = null;
      index++;
      skipEmpty();
    }
    made++;
    if (list >= lists.length) {
      part.put("last", true);
    }
    return part;
  }

  private void skipEmpty() {
    while (list < lists.length && index >= lists[list].size()) {
      list++;
      index = 0;
    }
  }

  private static Object encode(int list, Object entry) {
    return switch (list) {
      case 0 -> ReplicationEnvelope.contribution((Contribution) entry);
      case 1 -> ReplicationEnvelope.preference((Preference) entry);
      default -> ReplicationEnvelope.mark((PublishMark) entry);
    };
  }
}
