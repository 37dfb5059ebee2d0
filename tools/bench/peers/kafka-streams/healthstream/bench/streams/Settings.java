package healthstream.bench.streams;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Command-line settings ({@code --name value}), read once and checked whole: an unknown or missing
 * flag stops the start with a message naming it. Durations are in microseconds, as in our services.
 */
final class Settings {
  final String brokers;
  final String registryUrl;
  final String inputTopic;
  final String validatedTopic;
  final String errorsTopic;
  final String aggregatesTopic;
  final String applicationId;
  final int passes;
  final String stateDir;
  /** packages/shared/schemas: our topics' schemas. */
  final String schemasDir;
  /** The reader schema of the raw topic (contracts/health-data-batch.v2.avsc). */
  final String batchSchema;
  /** contracts/data-types.csv. */
  final String dataTypes;
  final boolean cleanup;
  final long outOfOrderness;
  final long latenessDaily;
  final long latenessWeekly;
  final long latenessMonthly;
  final long futureSkew;
  final long floor;
  final long dedupHorizonMs;
  final int maxMessageBytes;
  final int maxErrorPayloadBytes;
  /** Kafka Streams properties given with {@code --prop key=value}; they win over ours. */
  final Map<String, String> extra;

  private static final Set<String> KNOWN = Set.of("brokers", "registry", "input", "validated", "errors",
      "aggregates", "application-id", "passes", "state-dir", "schemas-dir", "batch-schema", "data-types",
      "cleanup", "out-of-orderness", "lateness-daily", "lateness-weekly", "lateness-monthly",
      "future-skew", "floor", "dedup-horizon-ms", "max-message-bytes", "max-error-payload-bytes", "prop");

  private static final long MINUTE = 60_000_000L;
  private static final long HOUR = 60 * MINUTE;

  private Settings(Map<String, String> v, Map<String, String> extra) {
    brokers = required(v, "brokers");
    registryUrl = required(v, "registry").replaceAll("/+$", "");
    inputTopic = required(v, "input");
    validatedTopic = required(v, "validated");
    errorsTopic = required(v, "errors");
    aggregatesTopic = required(v, "aggregates");
    applicationId = required(v, "application-id");
    passes = (int) number(v, "passes", 1, 1, 1000);
    stateDir = required(v, "state-dir");
    schemasDir = required(v, "schemas-dir");
    batchSchema = required(v, "batch-schema");
    dataTypes = required(v, "data-types");
    cleanup = !"false".equals(v.getOrDefault("cleanup", "true"));
    // The defaults of the aggregator and validator (services/*/src/config.ts)
    outOfOrderness = number(v, "out-of-orderness", 10 * MINUTE, 0, 7 * 24 * HOUR);
    latenessDaily = number(v, "lateness-daily", HOUR, 0, 31 * 24 * HOUR);
    latenessWeekly = number(v, "lateness-weekly", 6 * HOUR, 0, 31 * 24 * HOUR);
    latenessMonthly = number(v, "lateness-monthly", 12 * HOUR, 0, 31 * 24 * HOUR);
    futureSkew = number(v, "future-skew", 5 * MINUTE, 0, Long.MAX_VALUE / 2);
    floor = number(v, "floor", 946_684_800_000_000L, Long.MIN_VALUE / 2, Long.MAX_VALUE / 2);
    dedupHorizonMs = number(v, "dedup-horizon-ms", 7 * 86_400_000L, 0, Long.MAX_VALUE / 2);
    maxMessageBytes = (int) number(v, "max-message-bytes", 4 * 1024 * 1024, 1024, Integer.MAX_VALUE);
    maxErrorPayloadBytes = (int) number(v, "max-error-payload-bytes", 64 * 1024, 0, Integer.MAX_VALUE);
    this.extra = Map.copyOf(extra);
  }

  /** Parses {@code args}; throws IllegalArgumentException naming the bad flag. */
  static Settings parse(String[] args) {
    Map<String, String> values = new HashMap<>();
    Map<String, String> extra = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      String flag = args[i];
      if (!flag.startsWith("--") || !KNOWN.contains(flag.substring(2)))
        throw new IllegalArgumentException("unknown flag " + flag);
      if (i + 1 >= args.length) throw new IllegalArgumentException(flag + " needs a value");
      String name = flag.substring(2);
      String value = args[i + 1];
      if (name.equals("prop")) {
        int eq = value.indexOf('=');
        if (eq <= 0) throw new IllegalArgumentException("--prop needs key=value, got " + value);
        extra.put(value.substring(0, eq), value.substring(eq + 1));
      } else values.put(name, value);
    }
    return new Settings(values, extra);
  }

  private static String required(Map<String, String> v, String name) {
    String value = v.get(name);
    if (value == null || value.isEmpty()) throw new IllegalArgumentException("--" + name + " is required");
    return value;
  }

  private static long number(Map<String, String> v, String name, long dflt, long min, long max) {
    String text = v.get(name);
    if (text == null) return dflt;
    long n;
    try {
      n = Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be an integer, got " + text);
    }
    if (n < min || n > max) throw new IllegalArgumentException("--" + name + " must be in " + min + ".." + max);
    return n;
  }
}
