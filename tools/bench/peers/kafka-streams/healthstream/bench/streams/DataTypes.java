package healthstream.bench.streams;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;

/** The data-type table read from contracts/data-types.csv, with the unit conversions of data-types.ts. */
final class DataTypes {
  /** One row: canonical unit, inclusive range, accepted units → conversion into the canonical one. */
  record Spec(String dataType, String unit, double min, double max, Map<String, DoubleUnaryOperator> conversions) {}

  private record Conversion(String from, String to, List<String> dataTypes, DoubleUnaryOperator convert) {}

  // mmol/L → mg/dL depends on the molar mass, so it is scoped to blood glucose; the others are physical
  private static final List<Conversion> CONVERSIONS = List.of(
      new Conversion("lb", "kg", null, v -> v * 0.45359237),
      new Conversion("mmol/L", "mg/dL", List.of("blood_glucose"), v -> v * 18.0182),
      new Conversion("degF", "degC", null, v -> ((v - 32) * 5) / 9));

  private DataTypes() {}

  /** Data type → spec; throws naming the line of a malformed table. */
  static Map<String, Spec> read(Path csv) throws IOException {
    List<String> lines = Files.readAllLines(csv);
    if (lines.isEmpty() || !lines.get(0).trim().equals("data_type,unit,min,max,kind"))
      throw new IOException(csv + ": unexpected header");
    Map<String, Spec> table = new HashMap<>();
    for (int i = 1; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      if (line.isEmpty()) continue;
      String[] c = line.split(",", -1);
      if (c.length != 5) throw new IOException(csv + " line " + (i + 1) + ": expected 5 columns");
      String type = c[0].trim();
      String unit = c[1].trim();
      Map<String, DoubleUnaryOperator> conversions = new LinkedHashMap<>();
      conversions.put(unit, DoubleUnaryOperator.identity());
      for (Conversion k : CONVERSIONS) {
        if (k.to.equals(unit) && (k.dataTypes == null || k.dataTypes.contains(type))) conversions.put(k.from, k.convert);
      }
      table.put(type, new Spec(type, unit, Double.parseDouble(c[2].trim()), Double.parseDouble(c[3].trim()), conversions));
    }
    return Map.copyOf(table);
  }
}
