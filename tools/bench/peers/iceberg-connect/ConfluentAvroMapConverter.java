package healthstream.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.storage.Converter;

/**
 * Confluent wire format (magic 0, 4-byte schema id, Avro binary) to schemaless Connect values
 * (java.util.Map), for the Iceberg sink benchmark peer. Schemaless on purpose: a Connect Struct can
 * only carry a timestamp as a millisecond java.util.Date, and Iceberg's RecordConverter reads plain
 * numbers as milliseconds too; a Map can carry the exact OffsetDateTime of a timestamp-micros.
 * Writer schemas come from {schema.registry.url}/schemas/ids/{id} (Confluent API), once per id.
 * Sink only: fromConnectData is not supported.
 */
public final class ConfluentAvroMapConverter implements Converter {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private final Map<Integer, GenericDatumReader<Object>> readers = new HashMap<>();
  private String registry;
  private BinaryDecoder decoder;

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    Object url = configs.get("schema.registry.url");
    if (url == null) throw new DataException("schema.registry.url is required");
    registry = url.toString().replaceAll("/+$", "");
  }

  @Override
  public byte[] fromConnectData(String topic, org.apache.kafka.connect.data.Schema schema, Object value) {
    throw new UnsupportedOperationException("a sink-only converter");
  }

  @Override
  public SchemaAndValue toConnectData(String topic, byte[] bytes) {
    if (bytes == null) return SchemaAndValue.NULL;
    if (bytes.length < 5 || bytes[0] != 0)
      throw new DataException("not the Confluent wire format (magic byte 0, 4-byte schema id)");
    int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
    // One converter per task, so one thread: the decoder is reused between records.
    decoder = DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, decoder);
    try {
      return new SchemaAndValue(null, plain(reader(id).read(null, decoder)));
    } catch (IOException e) {
      throw new DataException("cannot decode Avro with writer schema " + id, e);
    }
  }

  private GenericDatumReader<Object> reader(int id) {
    return readers.computeIfAbsent(id, key -> new GenericDatumReader<>(fetch(key)));
  }

  private Schema fetch(int id) {
    URI uri = URI.create(registry + "/schemas/ids/" + id);
    try {
      HttpResponse<String> res = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
      if (res.statusCode() != 200) throw new DataException("GET " + uri + " answered " + res.statusCode());
      return new Schema.Parser().parse(JSON.readTree(res.body()).get("schema").asText());
    } catch (IOException e) {
      throw new DataException("GET " + uri + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DataException("interrupted while fetching schema " + id, e);
    }
  }

  /** Avro's generic values as plain Java ones: Utf8 to String, records and maps to Map, timestamps to OffsetDateTime. */
  private static Object plain(Object v) {
    if (v instanceof GenericRecord r) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Schema.Field f : r.getSchema().getFields()) out.put(f.name(), value(r.get(f.pos()), f.schema()));
      return out;
    }
    if (v instanceof CharSequence s) return s.toString();
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new HashMap<>(m.size() * 2);
      m.forEach((k, x) -> out.put(k.toString(), plain(x)));
      return out;
    }
    if (v instanceof Collection<?> c) {
      List<Object> out = new ArrayList<>(c.size());
      for (Object x : c) out.add(plain(x));
      return out;
    }
    return v;
  }

  /** A field's value: a long whose field type (or a branch of its union) is timestamp-micros is a time. */
  private static Object value(Object v, Schema schema) {
    if (v instanceof Long micros && isTimestampMicros(schema)) {
      Instant at = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
      return OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
    }
    return plain(v);
  }

  private static boolean isTimestampMicros(Schema schema) {
    if (schema.getType() == Schema.Type.UNION) {
      for (Schema branch : schema.getTypes()) if (isTimestampMicros(branch)) return true;
      return false;
    }
    LogicalType t = schema.getLogicalType();
    return t instanceof LogicalTypes.TimestampMicros;
  }
}
