package healthstream.bench.streams;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/** Builds and encodes the records of our output topics; one per processor instance (writers are not shared). */
final class Outputs {
  /** What a stage knows of an input it could not process (packages/shared/src/domain/errors.ts). */
  record ErrorInput(String stage, String reason, String message, String topic, int partition, long offset,
      Integer index, String userId, String sampleId, String dataType, boolean json, byte[] payload,
      int writerSchemaId, long errorTime, Long occurredAt) {}

  private final Schemas schemas;
  private final AvroWire.Writer validated;
  private final AvroWire.Writer errors;
  private final AvroWire.Writer aggregates;

  Outputs(Schemas schemas) {
    this.schemas = schemas;
    validated = new AvroWire.Writer(schemas.validatedId, schemas.validated);
    errors = new AvroWire.Writer(schemas.errorId, schemas.error);
    aggregates = new AvroWire.Writer(schemas.aggregateId, schemas.aggregate);
  }

  byte[] error(ErrorInput e) {
    GenericRecord r = new GenericData.Record(schemas.error);
    String id = e.stage + ":" + e.topic + ":" + e.partition + ":" + e.offset;
    r.put("errorId", e.index == null ? id : id + ":" + e.index);
    r.put("stage", e.stage);
    r.put("reasonCode", e.reason);
    r.put("message", e.message);
    r.put("sourceTopic", e.topic);
    r.put("sourcePartition", e.partition);
    r.put("sourceOffset", e.offset);
    r.put("sourceIndex", e.index);
    r.put("userId", e.userId);
    r.put("sampleId", e.sampleId);
    r.put("dataType", e.dataType);
    r.put("payloadFormat", e.json ? "json" : "raw");
    r.put("payload", ByteBuffer.wrap(e.payload));
    r.put("writerSchemaId", e.writerSchemaId >= 0 ? e.writerSchemaId : null);
    r.put("errorTime", e.errorTime);
    r.put("occurredAt", e.occurredAt);
    return errors.encode(r);
  }

  /** The dead letter of a sample rejected after flattening (our sampleErrorRecord): its raw provenance, JSON payload. */
  byte[] sampleError(String stage, Sample s, String reason, String message, String json, long now) {
    return error(new ErrorInput(stage, reason, message, s.sourceTopic(), s.sourcePartition(), s.sourceOffset(),
        s.sourceIndex(), s.userId(), s.sampleId(), s.dataType(), true, json.getBytes(StandardCharsets.UTF_8),
        s.writerSchemaId(), now, s.startTime()));
  }

  byte[] validated(Validated v) {
    Sample s = v.sample();
    GenericRecord r = new GenericData.Record(schemas.validated);
    r.put("sampleId", s.sampleId());
    r.put("userId", s.userId());
    r.put("deviceId", s.deviceId());
    r.put("platform", s.platform());
    r.put("appVersion", s.appVersion());
    r.put("batchId", s.batchId());
    r.put("dataType", s.dataType());
    r.put("value", v.value());
    r.put("unit", v.unit());
    r.put("startTime", s.startTime());
    r.put("startOffsetMinutes", s.startOffsetMinutes());
    r.put("endTime", s.endTime());
    r.put("endOffsetMinutes", s.endOffsetMinutes());
    r.put("sourceApp", s.sourceApp());
    r.put("confidence", s.confidence());
    r.put("timeZone", s.timeZone());
    r.put("metadata", s.metadata());
    r.put("batchMetadata", s.batchMetadata());
    r.put("uploadedAt", s.uploadedAt());
    r.put("sourceTopic", s.sourceTopic());
    r.put("sourcePartition", s.sourcePartition());
    r.put("sourceOffset", s.sourceOffset());
    r.put("sourceIndex", s.sourceIndex());
    r.put("writerSchemaId", s.writerSchemaId());
    r.put("ingestedAt", s.ingestedAt());
    r.put("originalValue", s.value());
    r.put("originalUnit", s.unit());
    r.put("knownType", v.knownType());
    r.put("flags", v.flags());
    r.put("validatedAt", v.validatedAt());
    return validated.encode(r);
  }

  /** The row of a window at its revision (services/aggregator/src/windows/record.ts). */
  byte[] aggregate(WindowState w, long watermark, long now) {
    GenericRecord r = new GenericData.Record(schemas.aggregate);
    r.put("userId", w.userId);
    r.put("dataType", w.dataType);
    r.put("unit", w.unit);
    r.put("granularity", w.granularity);
    r.put("windowStart", w.start);
    r.put("windowEnd", w.end);
    r.put("zone", Window.ZONE);
    r.put("windowLabel", w.label);
    r.put("count", w.count);
    r.put("sum", w.sum);
    r.put("min", w.min);
    r.put("max", w.max);
    r.put("mean", w.mean);
    double m2 = Math.max(0, w.m2);
    r.put("stddevPop", Math.sqrt(m2 / w.count));
    r.put("stddevSample", w.count < 2 ? null : Math.sqrt(m2 / (w.count - 1)));
    r.put("m2", w.m2);
    r.put("firstValue", w.firstValue);
    r.put("firstEventTime", w.firstTime);
    r.put("firstSampleId", w.firstId);
    r.put("lastValue", w.lastValue);
    r.put("lastEventTime", w.lastTime);
    r.put("lastSampleId", w.lastId);
    r.put("isFinal", w.isFinal);
    r.put("revision", w.revision);
    r.put("watermark", watermark);
    r.put("updatedAt", now);
    return aggregates.encode(r);
  }
}
