package healthstream.bench.streams;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The aggregator's windows, per task (= per input partition, since the key stays the user and no
 * repartition is needed): daily / ISO-weekly / monthly tumbling windows on the sample's start time.
 * The watermark is the task's largest event time − out-of-orderness (never decreasing). A window
 * fires (isFinal=false) once the watermark passes its end, emits a new revision for each late sample
 * while its lateness lasts, and its final row when the watermark passes end + lateness; then its
 * state is dropped. A sample that every one of its windows refuses is a TOO_LATE dead letter.
 *
 * Event-time timers are our own (a store of "due|window id", mirrored in memory), checked after every
 * sample: Kafka Streams' stream-time punctuation follows the raw records' timestamps, not the samples'
 * start times inside them.
 */
final class WindowProcessor implements Processor<byte[], Object, byte[], Object> {
  static final String WINDOWS = "windows";
  static final String TIMERS = "window-timers";
  static final String META = "window-meta";
  private static final long NONE = Long.MIN_VALUE;

  private final Pipeline.Parts parts;
  private ProcessorContext<byte[], Object> context;
  private KeyValueStore<String, byte[]> windows;
  private KeyValueStore<String, byte[]> timerStore;
  private KeyValueStore<String, Long> meta;
  private final TreeSet<String> timers = new TreeSet<>();
  private long maxEventTime = NONE;
  private long watermark = NONE;
  private Outputs outputs;

  WindowProcessor(Pipeline.Parts parts) {
    this.parts = parts;
  }

  @Override
  public void init(ProcessorContext<byte[], Object> context) {
    this.context = context;
    windows = context.getStateStore(WINDOWS);
    timerStore = context.getStateStore(TIMERS);
    meta = context.getStateStore(META);
    outputs = new Outputs(parts.schemas());
    timers.clear();
    try (KeyValueIterator<String, byte[]> all = timerStore.all()) {
      while (all.hasNext()) timers.add(all.next().key);
    }
    Long max = meta.get("maxEventTime");
    Long fired = meta.get("watermark");
    maxEventTime = max == null ? NONE : max;
    watermark = fired == null ? NONE : fired;
  }

  @Override
  public void process(Record<byte[], Object> record) {
    Validated v = (Validated) record.value();
    Sample s = v.sample();
    long now = System.currentTimeMillis() * 1000;
    Map<String, WindowState> touched = new HashMap<>(4);
    for (Window w : Window.of(s.startTime())) {
      if (watermark != NONE && watermark >= w.end() + lateness(w.granularity())) continue; // expired
      String id = w.id(s.userId(), s.dataType());
      byte[] stored = windows.get(id);
      WindowState state = stored == null ? WindowState.open(s.userId(), s.dataType(), v.unit(), w) : WindowState.fromBytes(stored);
      if (stored == null) setTimer(w.end(), id);
      state.add(v.value(), s.startTime(), s.sampleId());
      touched.put(id, state);
    }
    if (touched.isEmpty()) tooLate(record, v, now);
    if (maxEventTime == NONE || s.startTime() > maxEventTime) {
      maxEventTime = s.startTime();
      meta.put("maxEventTime", maxEventTime);
      long next = maxEventTime - parts.settings().outOfOrderness;
      if (watermark == NONE || next > watermark) {
        watermark = next;
        meta.put("watermark", watermark);
      }
    }
    TreeSet<String> candidates = new TreeSet<>(touched.keySet());
    candidates.addAll(popDueTimers());
    for (String id : candidates) {
      WindowState state = touched.get(id);
      if (state == null) {
        byte[] stored = windows.get(id);
        if (stored == null) continue;
        state = WindowState.fromBytes(stored);
      }
      advance(record, id, state, touched.containsKey(id), now);
    }
  }

  /** Fire, late update, finalise (services/aggregator/src/windows/step.ts `advance`), or just store. */
  private void advance(Record<byte[], Object> record, String id, WindowState state, boolean touched, long now) {
    long lateness = lateness(state.granularity);
    if (watermark < state.end) {
      windows.put(id, state.toBytes());
    } else if (watermark >= state.end + lateness) {
      removeTimer(state.fired ? state.end + lateness : state.end, id);
      state.fired = true;
      state.isFinal = true;
      emit(record, id, state, now);
      windows.delete(id);
    } else {
      boolean firing = !state.fired;
      if (firing) {
        removeTimer(state.end, id);
        setTimer(state.end + lateness, id);
        state.fired = true;
      }
      if (firing || touched) emit(record, id, state, now);
      windows.put(id, state.toBytes());
    }
  }

  private void emit(Record<byte[], Object> record, String id, WindowState state, long now) {
    state.revision++;
    byte[] row = outputs.aggregate(state, watermark, now);
    context.forward(record.withKey(id.getBytes(StandardCharsets.UTF_8)).withValue(row), Pipeline.AGGREGATES_OUT);
    parts.counters().aggregatesOut.incrementAndGet();
  }

  private void tooLate(Record<byte[], Object> record, Validated v, long now) {
    Sample s = v.sample();
    String message = "event time " + Timestamps.describe(s.startTime()) + " is past the allowed lateness of its daily, "
        + "weekly and monthly windows (watermark " + Timestamps.describe(watermark) + "); data type "
        + Json.string(new StringBuilder(), s.dataType());
    byte[] error = outputs.sampleError("aggregator", s, "TOO_LATE", message, v.toJson(), now);
    context.forward(record.withValue(error), Pipeline.ERRORS_OUT);
    parts.counters().deadLetters.incrementAndGet();
  }

  /** Removes and returns the windows whose timers are due at the current watermark. */
  private List<String> popDueTimers() {
    List<String> due = new ArrayList<>(0);
    if (watermark == NONE) return due;
    String bound = timerKey(watermark, "\uffff");
    while (!timers.isEmpty() && timers.first().compareTo(bound) <= 0) {
      String key = timers.pollFirst();
      timerStore.delete(key);
      due.add(key.substring(key.indexOf('|') + 1));
    }
    return due;
  }

  private void setTimer(long due, String id) {
    String key = timerKey(due, id);
    if (timers.add(key)) timerStore.put(key, new byte[0]);
  }

  private void removeTimer(long due, String id) {
    String key = timerKey(due, id);
    if (timers.remove(key)) timerStore.delete(key);
  }

  /** Zero-padded, so keys sort by due time (event times here are after 2000, so positive). */
  private static String timerKey(long due, String id) {
    String digits = Long.toString(Math.max(0, due));
    return "0".repeat(19 - digits.length()) + digits + "|" + id;
  }

  private long lateness(String granularity) {
    Settings c = parts.settings();
    return switch (granularity) {
      case "daily" -> c.latenessDaily;
      case "weekly" -> c.latenessWeekly;
      default -> c.latenessMonthly;
    };
  }
}
