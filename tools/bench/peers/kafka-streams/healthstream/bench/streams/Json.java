package healthstream.bench.streams;

import java.util.Map;

/** The little JSON our outputs need (window ids, dead-letter payloads), written as JSON.stringify writes it. */
final class Json {
  private Json() {}

  /** Appends {@code s} quoted, escaping what JSON.stringify escapes. */
  static StringBuilder string(StringBuilder b, String s) {
    if (s == null) return b.append("null");
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case '\b' -> b.append("\\b");
        case '\f' -> b.append("\\f");
        default -> {
          if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
          else b.append(c);
        }
      }
    }
    return b.append('"');
  }

  /**
   * A number; NaN and ±Infinity as strings (our jsonPayload does so). Integral values print without
   * a fraction, as in JavaScript; other values use Java's shortest form, which differs from
   * JavaScript's only in how exponents are written.
   */
  static StringBuilder number(StringBuilder b, Double d) {
    if (d == null) return b.append("null");
    if (d.isNaN() || d.isInfinite()) return string(b, d.isNaN() ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
    if (d == Math.rint(d) && Math.abs(d) < 1e21) return b.append((long) (double) d);
    return b.append(d);
  }

  static StringBuilder map(StringBuilder b, Map<String, String> m) {
    b.append('{');
    boolean first = true;
    for (Map.Entry<String, String> e : m.entrySet()) {
      if (!first) b.append(',');
      first = false;
      string(b, e.getKey()).append(':');
      string(b, e.getValue());
    }
    return b.append('}');
  }

  /** Starts a field {@code "name":} after a comma unless it is the first. */
  static StringBuilder field(StringBuilder b, String name) {
    if (b.charAt(b.length() - 1) != '{') b.append(',');
    return string(b, name).append(':');
  }
}
