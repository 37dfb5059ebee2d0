package healthstream.bench.streams;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/** ingest's work: a raw batch → its samples (to "validate") and dead letters (to the errors sink). */
final class FlattenProcessor implements Processor<byte[], byte[], byte[], Object> {
  private final Pipeline.Parts parts;
  private ProcessorContext<byte[], Object> context;
  private Outputs outputs;

  FlattenProcessor(Pipeline.Parts parts) {
    this.parts = parts;
  }

  @Override
  public void init(ProcessorContext<byte[], Object> context) {
    this.context = context;
    outputs = new Outputs(parts.schemas());
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    RecordMetadata source = context.recordMetadata().orElseThrow();
    long now = System.currentTimeMillis() * 1000;
    byte[] value = record.value() == null ? new byte[0] : record.value();
    int max = parts.settings().maxMessageBytes;
    if (value.length > max) {
      rawError(record, source, "TOO_LARGE", "message of " + value.length + " bytes exceeds " + max, -1, now);
    } else {
      AvroWire.Decoded decoded;
      try {
        decoded = parts.batches().decode(value);
      } catch (java.io.IOException e) {
        throw new IllegalStateException("schema registry unreachable: " + e.getMessage(), e);
      }
      if (!decoded.ok()) rawError(record, source, decoded.reason(), decoded.detail(), decoded.schemaId(), now);
      else forwardBatch(record, source, decoded, now);
    }
    parts.counters().records.incrementAndGet();
  }

  private void forwardBatch(Record<byte[], byte[]> record, RecordMetadata source, AvroWire.Decoded decoded, long now) {
    Flatten.Result result = Flatten.flatten(decoded.value(), source.topic(), source.partition(), source.offset(),
        decoded.schemaId(), now);
    byte[] key = result.userId().getBytes(StandardCharsets.UTF_8);
    for (Sample sample : result.samples()) context.forward(record.withKey(key).withValue(sample), Pipeline.VALIDATE);
    for (Flatten.BadTime bad : result.errors()) {
      byte[] error = outputs.error(new Outputs.ErrorInput("ingest", "BAD_TIMESTAMP", bad.message(), source.topic(),
          source.partition(), source.offset(), bad.index(), result.userId(), bad.sampleId(), bad.dataType(), true,
          bad.json().getBytes(StandardCharsets.UTF_8), decoded.schemaId(), now, bad.occurredAt()));
      context.forward(record.withKey(key).withValue(error), Pipeline.ERRORS_OUT);
    }
    parts.counters().deadLetters.addAndGet(result.errors().size());
    parts.counters().samples.addAndGet(result.samples().size() + result.errors().size());
  }

  private void rawError(Record<byte[], byte[]> record, RecordMetadata source, String reason, String detail,
      int schemaId, long now) {
    byte[] value = record.value() == null ? new byte[0] : record.value();
    int keep = parts.settings().maxErrorPayloadBytes;
    byte[] payload = value.length > keep ? Arrays.copyOf(value, keep) : value;
    String userId = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
    byte[] error = outputs.error(new Outputs.ErrorInput("ingest", reason, detail, source.topic(), source.partition(),
        source.offset(), null, userId, null, null, false, payload, schemaId, now, null));
    context.forward(record.withValue((Object) error), Pipeline.ERRORS_OUT);
    parts.counters().deadLetters.incrementAndGet();
  }
}
