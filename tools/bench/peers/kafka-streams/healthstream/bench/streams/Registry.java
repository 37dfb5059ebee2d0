package healthstream.bench.streams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Client of the Confluent Schema Registry API (Apicurio serves it under /apis/ccompat/v7). Writer
 * schemas by id are cached forever (an id never changes meaning); an id the registry does not know is
 * asked again after 10 s, as our deserializer does. Outages are thrown, never dead-lettered.
 */
final class Registry {
  /** The registry answered that no schema has this id. */
  static final class UnknownId extends Exception {
    UnknownId(int id) {
      super("schema id " + id + " is not registered");
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long UNKNOWN_RETRY_MS = 10_000;
  private final String url;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Map<Integer, String> byId = new ConcurrentHashMap<>();
  private final Map<Integer, Long> unknownUntil = new ConcurrentHashMap<>();

  Registry(String url) {
    this.url = url;
  }

  /** The writer schema text of {@code id}. */
  String schemaById(int id) throws UnknownId, IOException {
    String known = byId.get(id);
    if (known != null) return known;
    Long until = unknownUntil.get(id);
    if (until != null && System.currentTimeMillis() < until) throw new UnknownId(id);
    HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(url + "/schemas/ids/" + id)).GET());
    if (response.statusCode() == 404) {
      unknownUntil.put(id, System.currentTimeMillis() + UNKNOWN_RETRY_MS);
      throw new UnknownId(id);
    }
    String schema = expectOk(response, "GET /schemas/ids/" + id).path("schema").asText(null);
    if (schema == null) throw new IOException("schema registry: no schema in the answer for id " + id);
    byId.put(id, schema);
    return schema;
  }

  /**
   * Registers the schema under {@code <topic>-value} (our serializer's TopicNameStrategy) and sets the
   * subject's rule to BACKWARD as our services do; returns the schema id.
   */
  int registerValueSchema(String topic, String schema) throws IOException {
    String subject = URLEncoder.encode(topic + "-value", StandardCharsets.UTF_8);
    String body = JSON.writeValueAsString(Map.of("schema", schema, "schemaType", "AVRO"));
    JsonNode answer = expectOk(send(post("/subjects/" + subject + "/versions", "POST", body)), "register " + subject);
    if (!answer.path("id").isInt()) throw new IOException("schema registry: no id in the answer to register " + subject);
    int id = answer.path("id").asInt();
    byId.put(id, schema);
    String rule = "{\"compatibility\":\"BACKWARD\"}";
    HttpResponse<String> put = send(post("/config/" + subject, "PUT", rule));
    // Apicurio answers 409 when another client created the rule at the same moment: set it again
    if (put.statusCode() == 409) put = send(post("/config/" + subject, "PUT", rule));
    expectOk(put, "set compatibility of " + subject);
    return id;
  }

  private HttpRequest.Builder post(String path, String method, String body) {
    return HttpRequest.newBuilder(URI.create(url + path))
        .header("Content-Type", "application/vnd.schemaregistry.v1+json")
        .method(method, HttpRequest.BodyPublishers.ofString(body));
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws IOException {
    try {
      return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while calling the schema registry", e);
    }
  }

  private static JsonNode expectOk(HttpResponse<String> response, String what) throws IOException {
    if (response.statusCode() / 100 != 2)
      throw new IOException("schema registry: " + what + " answered " + response.statusCode() + ": " + response.body());
    return JSON.readTree(response.body());
  }
}
