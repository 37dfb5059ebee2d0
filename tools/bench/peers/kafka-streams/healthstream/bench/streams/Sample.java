package healthstream.bench.streams;

import java.util.Map;

/**
 * One flattened sample (our health-sample.avsc), passed between the processors of the one
 * sub-topology as an object: no intermediate topic, so it is never serialized.
 */
record Sample(
    String sampleId, String userId, String deviceId, String platform, String appVersion, String batchId,
    String dataType, Double value, String unit, long startTime, int startOffsetMinutes, Long endTime,
    Integer endOffsetMinutes, String sourceApp, Float confidence, String timeZone, Map<String, String> metadata,
    Map<String, String> batchMetadata, long uploadedAt, String sourceTopic, int sourcePartition, long sourceOffset,
    int sourceIndex, int writerSchemaId, long ingestedAt) {

  /** The fields in schema order, as JSON (the payload of a dead letter), without the closing brace. */
  StringBuilder jsonFields(StringBuilder b) {
    b.append('{');
    Json.string(Json.field(b, "sampleId"), sampleId);
    Json.string(Json.field(b, "userId"), userId);
    Json.string(Json.field(b, "deviceId"), deviceId);
    Json.string(Json.field(b, "platform"), platform);
    Json.string(Json.field(b, "appVersion"), appVersion);
    Json.string(Json.field(b, "batchId"), batchId);
    Json.string(Json.field(b, "dataType"), dataType);
    return b;
  }

  /** The rest of the fields after the value and unit, which differ between the two shapes. */
  StringBuilder jsonTail(StringBuilder b) {
    Json.field(b, "startTime").append(startTime);
    Json.field(b, "startOffsetMinutes").append(startOffsetMinutes);
    Json.field(b, "endTime").append(endTime);
    Json.field(b, "endOffsetMinutes").append(endOffsetMinutes);
    Json.string(Json.field(b, "sourceApp"), sourceApp);
    Json.number(Json.field(b, "confidence"), confidence == null ? null : (double) confidence);
    Json.string(Json.field(b, "timeZone"), timeZone);
    Json.map(Json.field(b, "metadata"), metadata);
    Json.map(Json.field(b, "batchMetadata"), batchMetadata);
    Json.field(b, "uploadedAt").append(uploadedAt);
    Json.string(Json.field(b, "sourceTopic"), sourceTopic);
    Json.field(b, "sourcePartition").append(sourcePartition);
    Json.field(b, "sourceOffset").append(sourceOffset);
    Json.field(b, "sourceIndex").append(sourceIndex);
    Json.field(b, "writerSchemaId").append(writerSchemaId);
    Json.field(b, "ingestedAt").append(ingestedAt);
    return b;
  }

  /** UTF-8 JSON of the sample, as our validator's dead letters carry it. */
  String toJson() {
    StringBuilder b = jsonFields(new StringBuilder(512));
    Json.number(Json.field(b, "value"), value);
    Json.string(Json.field(b, "unit"), unit);
    return jsonTail(b).append('}').toString();
  }
}
