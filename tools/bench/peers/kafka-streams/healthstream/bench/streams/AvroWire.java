package healthstream.bench.streams;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * Confluent wire format (magic byte 0, 4-byte big-endian schema id, Avro binary). Reading resolves
 * the writer schema named by the message to our reader schema, so v1 and v2 batches (and a later v3)
 * decode alike. Bad bytes are a value ({@link Decoded} with a reason), not an exception.
 */
final class AvroWire {
  /** A decoded record, or the reason code and detail of why it is bad data. */
  record Decoded(GenericRecord value, int schemaId, String reason, String detail) {
    boolean ok() {
      return reason == null;
    }
  }

  /** Decodes messages into one reader schema. Thread-safe; share it per process. */
  static final class Reader {
    private final Registry registry;
    private final Schema reader;
    private final Map<Integer, GenericDatumReader<GenericRecord>> resolvers = new ConcurrentHashMap<>();

    Reader(Registry registry, Schema reader) {
      this.registry = registry;
      this.reader = reader;
    }

    Decoded decode(byte[] bytes) throws IOException {
      if (bytes == null || bytes.length < 5) return new Decoded(null, -1, "BAD_MAGIC", "shorter than the 5-byte header");
      if (bytes[0] != 0) return new Decoded(null, -1, "BAD_MAGIC", "first byte is not the magic byte 0");
      int id = ((bytes[1] & 0xff) << 24) | ((bytes[2] & 0xff) << 16) | ((bytes[3] & 0xff) << 8) | (bytes[4] & 0xff);
      GenericDatumReader<GenericRecord> resolver = resolvers.get(id);
      if (resolver == null) {
        try {
          Schema writer = new Schema.Parser().parse(registry.schemaById(id));
          resolver = new GenericDatumReader<>(writer, reader);
        } catch (Registry.UnknownId e) {
          return new Decoded(null, id, "UNKNOWN_SCHEMA_ID", e.getMessage());
        } catch (RuntimeException e) {
          return new Decoded(null, id, "DECODE_FAILED", "writer schema " + id + " is unusable: " + e.getMessage());
        }
        resolvers.put(id, resolver);
      }
      try {
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null);
        GenericRecord value = resolver.read(null, decoder);
        if (!decoder.isEnd()) return new Decoded(null, id, "DECODE_FAILED", "trailing bytes after the Avro body");
        return new Decoded(value, id, null, null);
      } catch (IOException | RuntimeException e) {
        return new Decoded(null, id, "DECODE_FAILED", String.valueOf(e.getMessage()));
      }
    }
  }

  /** Encodes records of one registered schema; one per processor instance (not thread-safe). */
  static final class Writer {
    private final int schemaId;
    private final GenericDatumWriter<GenericRecord> writer;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    private BinaryEncoder encoder;

    Writer(int schemaId, Schema schema) {
      this.schemaId = schemaId;
      this.writer = new GenericDatumWriter<>(schema);
    }

    byte[] encode(GenericRecord record) {
      out.reset();
      out.write(0);
      out.write(schemaId >>> 24);
      out.write(schemaId >>> 16);
      out.write(schemaId >>> 8);
      out.write(schemaId);
      encoder = EncoderFactory.get().binaryEncoder(out, encoder);
      try {
        writer.write(record, encoder);
        encoder.flush();
      } catch (IOException e) {
        throw new IllegalStateException("cannot encode a " + record.getSchema().getName() + ": " + e.getMessage(), e);
      }
      return out.toByteArray();
    }
  }

  private AvroWire() {}
}
