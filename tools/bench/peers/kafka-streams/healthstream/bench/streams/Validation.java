package healthstream.bench.streams;

import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;

/**
 * The validator's rules (packages/shared/src/domain/validate.ts and rules/), in its order: the first
 * that fails names the reason. Unknown data types are kept, flagged, and only the generic rules apply.
 */
final class Validation {
  /** Why a sample is invalid. */
  record Rejection(String reason, String message) {}

  private static final List<String> NO_FLAGS = List.of();
  private static final List<String> UNKNOWN_TYPE = List.of("UNKNOWN_DATA_TYPE");
  private static final List<String> CONVERTED = List.of("UNIT_CONVERTED");

  private final Map<String, DataTypes.Spec> dataTypes;
  private final long futureSkew;
  private final long floor;

  Validation(Map<String, DataTypes.Spec> dataTypes, long futureSkew, long floor) {
    this.dataTypes = dataTypes;
    this.futureSkew = futureSkew;
    this.floor = floor;
  }

  /** A {@link Validated} or a {@link Rejection}; {@code now} is the processing time in micros. */
  Object validate(Sample s, long now) {
    for (String[] f : new String[][] {{"sampleId", s.sampleId()}, {"userId", s.userId()},
        {"dataType", s.dataType()}, {"unit", s.unit()}}) {
      if (f[1] == null || f[1].strip().isEmpty()) return new Rejection("MISSING_FIELD", f[0] + " is missing or blank");
    }
    if (s.value() == null) return new Rejection("MISSING_VALUE", "value is null");
    double value = s.value();
    if (!Double.isFinite(value)) return new Rejection("NOT_FINITE", "value " + jsNumber(value) + " is not a finite number");
    if (value < 0) return new Rejection("NEGATIVE_VALUE", "value " + jsNumber(value) + " is negative");
    DataTypes.Spec spec = dataTypes.get(s.dataType());
    double canonical = value;
    if (spec != null) {
      DoubleUnaryOperator convert = spec.conversions().get(s.unit());
      if (convert == null) {
        return new Rejection("UNKNOWN_UNIT", "unit " + Json.string(new StringBuilder(), s.unit())
            + " is not accepted for " + spec.dataType() + " (accepted: " + String.join(", ", spec.conversions().keySet()) + ")");
      }
      canonical = convert.applyAsDouble(value);
      if (!(canonical >= spec.min() && canonical <= spec.max())) {
        String sent = s.unit().equals(spec.unit()) ? "" : " (sent as " + jsNumber(value) + " " + s.unit() + ")";
        return new Rejection("OUT_OF_RANGE", spec.dataType() + " " + jsNumber(canonical) + " " + spec.unit() + sent
            + " is outside [" + jsNumber(spec.min()) + ", " + jsNumber(spec.max()) + "] " + spec.unit());
      }
    }
    Rejection badTime = checkTimes(s.startTime(), s.endTime(), now);
    if (badTime != null) return badTime;
    List<String> flags = spec == null ? UNKNOWN_TYPE : s.unit().equals(spec.unit()) ? NO_FLAGS : CONVERTED;
    return new Validated(s, canonical, spec == null ? s.unit() : spec.unit(), spec != null, flags, now);
  }

  private Rejection checkTimes(long start, Long end, long now) {
    if (end != null && end < start) {
      return new Rejection("END_BEFORE_START",
          "endTime " + Timestamps.describe(end) + " is before startTime " + Timestamps.describe(start));
    }
    long latest = end != null && end > start ? end : start;
    if (latest > now + futureSkew) {
      return new Rejection("IN_FUTURE", (latest == start ? "startTime " : "endTime ") + Timestamps.describe(latest)
          + " is more than " + jsNumber(futureSkew / 1e6) + " s after now (" + Timestamps.describe(now) + ")");
    }
    if (start < floor) {
      return new Rejection("BEFORE_FLOOR",
          "startTime " + Timestamps.describe(start) + " is before the floor " + Timestamps.describe(floor));
    }
    return null;
  }

  private static String jsNumber(double d) {
    return Json.number(new StringBuilder(), d).toString().replace("\"", "");
  }
}
