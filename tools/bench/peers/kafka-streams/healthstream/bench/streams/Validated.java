package healthstream.bench.streams;

import java.util.List;

/** A sample that passed the rules (our validated-sample.avsc): value and unit canonical for known types. */
record Validated(Sample sample, double value, String unit, boolean knownType, List<String> flags, long validatedAt) {
  /** UTF-8 JSON of the validated sample, as the aggregator's TOO_LATE dead letters carry it. */
  String toJson() {
    StringBuilder b = sample.jsonFields(new StringBuilder(600));
    Json.number(Json.field(b, "value"), value);
    Json.string(Json.field(b, "unit"), unit);
    sample.jsonTail(b);
    Json.number(Json.field(b, "originalValue"), sample.value());
    Json.string(Json.field(b, "originalUnit"), sample.unit());
    Json.field(b, "knownType").append(knownType);
    Json.field(b, "flags").append('[');
    for (int i = 0; i < flags.size(); i++) Json.string(i == 0 ? b : b.append(','), flags.get(i));
    b.append(']');
    Json.field(b, "validatedAt").append(validatedAt);
    return b.append('}').toString();
  }
}
