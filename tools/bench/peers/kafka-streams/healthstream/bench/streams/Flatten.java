package healthstream.bench.streams;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;

/**
 * One decoded HealthDataBatch (v2 reader shape) → flattened samples in batch order, as
 * packages/shared/src/domain/flatten.ts: a sample whose start or end time, or whose batch's
 * uploadedAt, is not ISO 8601 with an offset becomes a BAD_TIMESTAMP dead letter instead.
 */
final class Flatten {
  /** A sample whose time could not be read: the error fields and the one-sample batch JSON. */
  record BadTime(int index, String sampleId, String dataType, String message, String json, Long occurredAt) {}

  /** Every input sample is in exactly one of the lists. */
  record Result(String userId, List<Sample> samples, List<BadTime> errors) {}

  private Flatten() {}

  static Result flatten(GenericRecord batch, String topic, int partition, long offset, int schemaId, long now) {
    String userId = str(batch.get("userId"));
    String uploadedText = str(batch.get("uploadedAt"));
    Timestamps.Parsed uploaded = Timestamps.parse(uploadedText);
    Map<String, String> batchMeta = map(batch.get("metadata"));
    String timeZone = str(batch.get("timeZone"));
    List<?> raw = (List<?>) batch.get("samples");
    List<Sample> samples = new ArrayList<>(raw.size());
    List<BadTime> errors = new ArrayList<>(0);
    for (int i = 0; i < raw.size(); i++) {
      GenericRecord s = (GenericRecord) raw.get(i);
      String startText = str(s.get("startTime"));
      String endText = str(s.get("endTime"));
      Timestamps.Parsed start = Timestamps.parse(startText);
      Timestamps.Parsed end = endText == null ? null : Timestamps.parse(endText);
      if (uploaded == null || start == null || (endText != null && end == null)) {
        String[] bad = uploaded == null ? new String[] {"uploadedAt", uploadedText}
            : start == null ? new String[] {"startTime", startText} : new String[] {"endTime", endText};
        String message = bad[0] + " " + quote(bad[1]) + " is not an ISO 8601 date-time with a UTC offset";
        errors.add(new BadTime(i, str(s.get("sampleId")), str(s.get("dataType")), message,
            oneSampleBatch(batch, s), start == null ? null : start.micros()));
        continue;
      }
      Object conf = s.get("confidence");
      samples.add(new Sample(str(s.get("sampleId")), userId, str(batch.get("deviceId")), str(batch.get("platform")),
          str(batch.get("appVersion")), str(batch.get("batchId")), str(s.get("dataType")), (Double) s.get("value"),
          str(s.get("unit")), start.micros(), start.offsetMinutes(), end == null ? null : end.micros(),
          end == null ? null : end.offsetMinutes(), str(s.get("sourceApp")), (Float) conf, timeZone,
          map(s.get("metadata")), batchMeta, uploaded.micros(), topic, partition, offset, i, schemaId, now));
    }
    return new Result(userId, samples, errors);
  }

  /** The JSON of a one-sample batch, so a fixed copy of the dead letter can be replayed. */
  private static String oneSampleBatch(GenericRecord batch, GenericRecord s) {
    StringBuilder b = new StringBuilder(512).append('{');
    for (String f : new String[] {"batchId", "userId", "deviceId", "platform", "appVersion", "uploadedAt", "timeZone"})
      Json.string(Json.field(b, f), str(batch.get(f)));
    Json.field(b, "samples").append("[{");
    for (String f : new String[] {"sampleId", "dataType"}) Json.string(Json.field(b, f), str(s.get(f)));
    Json.number(Json.field(b, "value"), (Double) s.get("value"));
    for (String f : new String[] {"unit", "startTime", "endTime", "sourceApp"}) Json.string(Json.field(b, f), str(s.get(f)));
    Object conf = s.get("confidence");
    Json.number(Json.field(b, "confidence"), conf == null ? null : ((Float) conf).doubleValue());
    Json.map(Json.field(b, "metadata"), map(s.get("metadata"))).append("}]");
    return Json.map(Json.field(b, "metadata"), map(batch.get("metadata"))).append('}').toString();
  }

  /** A value quoted for a message, cut to 80 characters (our quoteForMessage). */
  private static String quote(String value) {
    if (value == null) return "null";
    return Json.string(new StringBuilder(), value.length() > 80 ? value.substring(0, 80) + "…" : value).toString();
  }

  static String str(Object o) {
    return o == null ? null : o.toString();
  }

  private static Map<String, String> map(Object o) {
    if (!(o instanceof Map<?, ?> m) || m.isEmpty()) return Map.of();
    Map<String, String> out = new LinkedHashMap<>(m.size() * 2);
    for (Map.Entry<?, ?> e : m.entrySet()) out.put(e.getKey().toString(), str(e.getValue()));
    return out;
  }
}
