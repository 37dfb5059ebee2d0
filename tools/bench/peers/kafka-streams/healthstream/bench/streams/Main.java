package healthstream.bench.streams;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The Kafka Streams peer of Healthstream's ingest + validator + aggregator, for `npm run bench`:
 * raw batches → validated samples, dead letters and window rows, in one JVM with
 * processing.guarantee=exactly_once_v2. Runs {@code --passes} passes over the same input, each with a
 * fresh application id and state directory, and prints one JSON line per pass on stdout.
 *
 * <p>Where it differs from our services (the work is the same; these are the corners a benchmark does
 * not need, or what Kafka Streams does its own way):
 * <ul>
 *   <li>Daily windows are UTC days only (DAILY_WINDOW_ZONE=utc, our default); no user-zone days.
 *   <li>The watermark is per task (input partition), Kafka Streams' stream-time model; ours is the
 *       minimum over the partitions an instance owns, with idle partitions ignored after
 *       PARTITION_IDLE_TIMEOUT. With several partitions windows can fire earlier here.
 *   <li>Per sample, not per consumed batch: the too-late check uses the watermark before the sample
 *       (ours: before the batch), and a fired window emits a revision per late sample (ours: one per
 *       batch), so revisions, and for late data the row count, differ.
 *   <li>Duplicate marks live in RocksDB and are never expired (Redis expires them after
 *       DEDUP_HORIZON); the horizon is still checked on read.
 *   <li>No early firing (EARLY_FIRE_INTERVAL, off by default), no query API, no retention of final
 *       windows: a final window's state is dropped at once.
 *   <li>The decoder has no size bounds on arrays, maps and strings (ours: bounds.ts), and no
 *       BATCH_INFLATE_LIMIT check; oversized messages are TOO_LARGE as in ingest.
 *   <li>Dead-letter messages and JSON payloads follow ours but are not byte-identical (number
 *       formatting with exponents, millisecond vs microsecond instants in TOO_LATE messages).
 *   <li>No trace headers are forwarded; no metrics endpoint.
 * </ul>
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", System.getProperty("peer.logLevel", "warn"));
    try {
      run(Settings.parse(args));
      System.exit(0);
    } catch (IllegalArgumentException e) {
      System.err.println("kafka-streams peer: " + e.getMessage());
      System.exit(64);
    } catch (Throwable e) {
      System.err.println("kafka-streams peer failed: " + e);
      e.printStackTrace();
      System.exit(1);
    }
  }

  private static void run(Settings settings) throws Exception {
    Registry registry = new Registry(settings.registryUrl);
    Schemas schemas = new Schemas(settings, registry);
    AvroWire.Reader batches = new AvroWire.Reader(registry, schemas.batchReader);
    Validation validation = new Validation(DataTypes.read(Path.of(settings.dataTypes)), settings.futureSkew, settings.floor);
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.brokers))) {
      createOutputTopics(admin, settings);
      PassRunner runner = new PassRunner(settings, schemas, batches, validation, admin);
      for (int k = 1; k <= settings.passes; k++) {
        System.out.println(runner.run(k));
        System.out.flush();
      }
    }
  }

  /** The output topics with the input's partition count, when missing (as our services create theirs). */
  private static void createOutputTopics(Admin admin, Settings settings) throws InterruptedException, ExecutionException {
    int partitions = admin.describeTopics(List.of(settings.inputTopic)).allTopicNames().get()
        .get(settings.inputTopic).partitions().size();
    List<NewTopic> topics = new ArrayList<>();
    for (String name : List.of(settings.validatedTopic, settings.errorsTopic, settings.aggregatesTopic))
      topics.add(new NewTopic(name, Optional.of(partitions), Optional.empty()));
    for (var result : admin.createTopics(topics).values().values()) {
      try {
        result.get();
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) throw e;
      }
    }
  }
}
