package healthstream.bench.streams;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;

/**
 * Runs one pass: a fresh application id (so the input is read from the start) and a fresh state
 * directory; the pass is over when the pass's group has committed, on every input partition, the
 * read_committed end offset taken when the pass started.
 */
final class PassRunner {
  private static final long POLL_MS = 200;
  private final Settings settings;
  private final Schemas schemas;
  private final AvroWire.Reader batches;
  private final Validation validation;
  private final Admin admin;

  PassRunner(Settings settings, Schemas schemas, AvroWire.Reader batches, Validation validation, Admin admin) {
    this.settings = settings;
    this.schemas = schemas;
    this.batches = batches;
    this.validation = validation;
    this.admin = admin;
  }

  /** Runs pass {@code k} and returns its JSON line. */
  String run(int k) throws Exception {
    String appId = settings.applicationId + "-pass" + k;
    Counters counters = new Counters();
    Pipeline.Parts parts = new Pipeline.Parts(settings, schemas, batches, validation, counters);
    KafkaStreams streams = new KafkaStreams(Pipeline.build(parts), properties(appId, Path.of(settings.stateDir, "pass" + k)));
    AtomicReference<Throwable> failure = new AtomicReference<>();
    streams.setUncaughtExceptionHandler(e -> {
      failure.compareAndSet(null, e);
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    Map<TopicPartition, Long> ends = endOffsets();
    resetPeakRss();
    long cpu0 = processCpuNanos();
    long t0 = System.nanoTime();
    streams.start();
    try {
      while (!caughtUp(appId, ends)) {
        if (failure.get() != null) throw new IllegalStateException("pass " + k + " failed: " + failure.get(), failure.get());
        KafkaStreams.State state = streams.state();
        if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.NOT_RUNNING)
          throw new IllegalStateException("pass " + k + ": Kafka Streams stopped (" + state + ")");
        Thread.sleep(POLL_MS);
      }
    } catch (Exception e) {
      streams.close(Duration.ofSeconds(10));
      throw e;
    }
    long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
    long cpuMs = (processCpuNanos() - cpu0) / 1_000_000;
    Map<String, Long> memory = memoryKiB();
    streams.close(new KafkaStreams.CloseOptions().leaveGroup(true).timeout(Duration.ofSeconds(60)));
    streams.cleanUp();
    if (settings.cleanup) removeInternals(appId);
    return String.format("{\"pass\":%d,\"records\":%d,\"samples\":%d,\"validated\":%d,\"deadLetters\":%d,"
        + "\"aggregatesOut\":%d,\"duplicates\":%d,\"elapsedMs\":%d,\"processCpuMs\":%d,\"peakRssMiB\":%.1f,\"rssMiB\":%.1f}",
        k, counters.records.get(), counters.samples.get(), counters.validated.get(), counters.deadLetters.get(),
        counters.aggregatesOut.get(), counters.duplicates.get(), elapsedMs, cpuMs,
        memory.getOrDefault("VmHWM", 0L) / 1024.0, memory.getOrDefault("VmRSS", 0L) / 1024.0);
  }

  private Properties properties(String appId, Path stateDir) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, settings.brokers);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
    p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    p.putAll(settings.extra);
    return p;
  }

  private Map<TopicPartition, Long> endOffsets() throws ExecutionException, InterruptedException {
    int partitions = admin.describeTopics(List.of(settings.inputTopic)).allTopicNames().get()
        .get(settings.inputTopic).partitions().size();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < partitions; p++) latest.put(new TopicPartition(settings.inputTopic, p), OffsetSpec.latest());
    return admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get()
        .entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
  }

  private boolean caughtUp(String group, Map<TopicPartition, Long> ends) throws ExecutionException, InterruptedException {
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
      OffsetAndMetadata at = committed.get(end.getKey());
      if ((at == null ? 0 : at.offset()) < end.getValue()) return false;
    }
    return true;
  }

  /** Drops the pass's changelog topics and group: measured already, and they would pile up run after run. */
  private void removeInternals(String appId) {
    try {
      Set<String> internal = admin.listTopics().names().get().stream()
          .filter(n -> n.startsWith(appId + "-") && (n.endsWith("-changelog") || n.endsWith("-repartition")))
          .collect(Collectors.toSet());
      if (!internal.isEmpty()) admin.deleteTopics(internal).all().get();
      admin.deleteConsumerGroups(List.of(appId)).all().get();
    } catch (Exception e) {
      System.err.println("kafka-streams peer: could not remove the internals of " + appId + ": " + e.getMessage());
    }
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** Resets VmHWM (Linux: "5" to clear_refs), so each pass reports its own peak; ignored where unsupported. */
  private static void resetPeakRss() {
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
    } catch (IOException | RuntimeException e) {
      // not Linux, or not allowed: the peak then covers the process so far
    }
  }

  private static Map<String, Long> memoryKiB() {
    Map<String, Long> out = new HashMap<>();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:") || line.startsWith("VmRSS:"))
          out.put(line.substring(0, 5), Long.parseLong(line.replaceAll("[^0-9]", "")));
      }
    } catch (IOException e) {
      // not Linux: no memory figures
    }
    return out;
  }
}
