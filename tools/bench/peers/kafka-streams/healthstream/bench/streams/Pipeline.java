package healthstream.bench.streams;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The whole pipeline as one Processor API sub-topology:
 *
 * <pre>
 *   raw → flatten → validate → dedup ─→ validated topic
 *            │          │        └──→ windows → aggregates topic
 *            └──────────┴──────────────────┴──→ errors topic
 * </pre>
 *
 * The Processor API rather than the DSL because the windows are our own (calendar months, per-window
 * lateness, revisions, TOO_LATE dead letters: none of which TimeWindows can express) and event time
 * lives inside the batches. Every record keeps its key (the user id), so the raw topic's partitioning
 * is also the state's: no repartition topic, one task per input partition, samples passed between
 * processors as objects (no serialization inside the JVM).
 */
final class Pipeline {
  static final String SOURCE = "raw";
  static final String FLATTEN = "flatten";
  static final String VALIDATE = "validate";
  static final String DEDUP = "dedup";
  static final String WINDOWS = "aggregate";
  static final String VALIDATED_OUT = "validated-out";
  static final String ERRORS_OUT = "errors-out";
  static final String AGGREGATES_OUT = "aggregates-out";

  /** What the processors share: settings, schemas, the batch decoder (thread-safe) and the pass's counters. */
  record Parts(Settings settings, Schemas schemas, AvroWire.Reader batches, Validation validation, Counters counters) {}

  private Pipeline() {}

  static Topology build(Parts parts) {
    Settings s = parts.settings();
    ByteArraySerializer bytes = new ByteArraySerializer();
    Topology t = new Topology();
    t.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), s.inputTopic);
    t.addProcessor(FLATTEN, () -> new FlattenProcessor(parts), SOURCE);
    t.addProcessor(VALIDATE, () -> new ValidateProcessor(parts), FLATTEN);
    t.addProcessor(DEDUP, () -> new DedupProcessor(parts), VALIDATE);
    t.addProcessor(WINDOWS, () -> new WindowProcessor(parts), DEDUP);
    // Caching on, as the DSL does: it absorbs the hot windows' many updates between commits
    t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DedupProcessor.STORE),
        Serdes.String(), Serdes.ByteArray()).withCachingEnabled(), DEDUP);
    t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(WindowProcessor.WINDOWS),
        Serdes.String(), Serdes.ByteArray()).withCachingEnabled(), WINDOWS);
    t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(WindowProcessor.TIMERS),
        Serdes.String(), Serdes.ByteArray()).withCachingEnabled(), WINDOWS);
    t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(WindowProcessor.META),
        Serdes.String(), Serdes.Long()).withCachingEnabled(), WINDOWS);
    t.addSink(VALIDATED_OUT, s.validatedTopic, bytes, bytes, DEDUP);
    t.addSink(AGGREGATES_OUT, s.aggregatesTopic, bytes, bytes, WINDOWS);
    t.addSink(ERRORS_OUT, s.errorsTopic, bytes, bytes, FLATTEN, VALIDATE, WINDOWS);
    return t;
  }
}
