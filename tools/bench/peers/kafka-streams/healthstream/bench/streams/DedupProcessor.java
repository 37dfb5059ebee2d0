package healthstream.bench.streams;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Duplicate detection in a RocksDB store (the validator keeps it in Redis): a valid sample whose
 * (user, sampleId) was accepted within the horizon (processing time) from another raw record is
 * dropped; otherwise it is marked, written to the validated topic and passed to "windows". The mark
 * carries its raw provenance (our dedupOwner), so re-processing the same input is not a duplicate.
 */
final class DedupProcessor implements Processor<byte[], Object, byte[], Object> {
  static final String STORE = "dedup";
  private final Pipeline.Parts parts;
  private ProcessorContext<byte[], Object> context;
  private KeyValueStore<String, byte[]> marks;
  private Outputs outputs;

  DedupProcessor(Pipeline.Parts parts) {
    this.parts = parts;
  }

  @Override
  public void init(ProcessorContext<byte[], Object> context) {
    this.context = context;
    marks = context.getStateStore(STORE);
    outputs = new Outputs(parts.schemas());
  }

  @Override
  public void process(Record<byte[], Object> record) {
    Validated v = (Validated) record.value();
    Sample s = v.sample();
    String key = s.userId().length() + ":" + s.userId() + ":" + s.sampleId();
    String owner = s.sourceTopic() + ":" + s.sourcePartition() + ":" + s.sourceOffset() + ":" + s.sourceIndex();
    long nowMs = System.currentTimeMillis();
    byte[] mark = marks.get(key);
    if (mark != null && nowMs - ByteBuffer.wrap(mark).getLong() < parts.settings().dedupHorizonMs
        && !owner.equals(new String(mark, 8, mark.length - 8, StandardCharsets.UTF_8))) {
      parts.counters().duplicates.incrementAndGet();
      return;
    }
    byte[] ownerBytes = owner.getBytes(StandardCharsets.UTF_8);
    marks.put(key, ByteBuffer.allocate(8 + ownerBytes.length).putLong(nowMs).put(ownerBytes).array());
    context.forward(record.withValue(outputs.validated(v)), Pipeline.VALIDATED_OUT);
    context.forward(record, Pipeline.WINDOWS);
    parts.counters().validated.incrementAndGet();
  }
}
