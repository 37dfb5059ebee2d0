package healthstream.bench.streams;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.avro.Schema;

/** Our schemas, read from the repository (never copied), and the ids they are registered under. */
final class Schemas {
  final Schema batchReader;
  final Schema validated;
  final Schema error;
  final Schema aggregate;
  final int validatedId;
  final int errorId;
  final int aggregateId;

  Schemas(Settings settings, Registry registry) throws IOException {
    batchReader = new Schema.Parser().parse(Files.readString(Path.of(settings.batchSchema)));
    String validatedText = Files.readString(Path.of(settings.schemasDir, "validated-sample.avsc"));
    String errorText = Files.readString(Path.of(settings.schemasDir, "error-record.avsc"));
    String aggregateText = Files.readString(Path.of(settings.schemasDir, "aggregate-record.avsc"));
    validated = new Schema.Parser().parse(validatedText);
    error = new Schema.Parser().parse(errorText);
    aggregate = new Schema.Parser().parse(aggregateText);
    validatedId = registry.registerValueSchema(settings.validatedTopic, validatedText);
    errorId = registry.registerValueSchema(settings.errorsTopic, errorText);
    aggregateId = registry.registerValueSchema(settings.aggregatesTopic, aggregateText);
  }
}
