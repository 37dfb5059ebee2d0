package healthstream.bench.streams;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/** The validator's rules: a sample → "dedup" when it passes, else its dead letter to the errors sink. */
final class ValidateProcessor implements Processor<byte[], Object, byte[], Object> {
  private final Pipeline.Parts parts;
  private ProcessorContext<byte[], Object> context;
  private Outputs outputs;

  ValidateProcessor(Pipeline.Parts parts) {
    this.parts = parts;
  }

  @Override
  public void init(ProcessorContext<byte[], Object> context) {
    this.context = context;
    outputs = new Outputs(parts.schemas());
  }

  @Override
  public void process(Record<byte[], Object> record) {
    Sample sample = (Sample) record.value();
    long now = System.currentTimeMillis() * 1000;
    Object result = parts.validation().validate(sample, now);
    if (result instanceof Validation.Rejection r) {
      byte[] error = outputs.sampleError("validator", sample, r.reason(), r.message(), sample.toJson(), now);
      context.forward(record.withValue(error), Pipeline.ERRORS_OUT);
      parts.counters().deadLetters.incrementAndGet();
    } else {
      context.forward(record.withValue(result), Pipeline.DEDUP);
    }
  }
}
