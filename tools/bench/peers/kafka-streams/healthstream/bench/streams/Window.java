package healthstream.bench.streams;

import java.time.LocalDate;
import java.time.temporal.IsoFields;

/**
 * One tumbling window [start, end) in epoch micros, as services/aggregator/src/windows/definitions.ts
 * assigns them with DAILY_WINDOW_ZONE=utc: the UTC day, the ISO week (Monday 00:00 UTC) and the UTC
 * calendar month.
 */
record Window(String granularity, long start, long end, String label) {
  static final String ZONE = "UTC";

  /** The daily, weekly and monthly windows of an event at {@code micros}, in that order. */
  static Window[] of(long micros) {
    long days = Math.floorDiv(micros, Timestamps.MICROS_PER_DAY);
    LocalDate date = LocalDate.ofEpochDay(days);
    long monday = days - (date.getDayOfWeek().getValue() - 1);
    LocalDate mondayDate = LocalDate.ofEpochDay(monday);
    LocalDate firstOfMonth = date.withDayOfMonth(1);
    return new Window[] {
      new Window("daily", days * Timestamps.MICROS_PER_DAY, (days + 1) * Timestamps.MICROS_PER_DAY,
          String.format("%04d-%02d-%02d", date.getYear(), date.getMonthValue(), date.getDayOfMonth())),
      new Window("weekly", monday * Timestamps.MICROS_PER_DAY, (monday + 7) * Timestamps.MICROS_PER_DAY,
          String.format("%04d-W%02d", mondayDate.get(IsoFields.WEEK_BASED_YEAR),
              mondayDate.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR))),
      new Window("monthly", firstOfMonth.toEpochDay() * Timestamps.MICROS_PER_DAY,
          firstOfMonth.plusMonths(1).toEpochDay() * Timestamps.MICROS_PER_DAY,
          String.format("%04d-%02d", date.getYear(), date.getMonthValue())),
    };
  }

  /** The window id (and Kafka key): JSON [userId, dataType, granularity, start, zone], as JSON.stringify writes it. */
  String id(String userId, String dataType) {
    StringBuilder b = new StringBuilder(64).append('[');
    Json.string(b, userId).append(',');
    Json.string(b, dataType).append(',');
    Json.string(b, granularity).append(',').append(start).append(',');
    return Json.string(b, ZONE).append(']').toString();
  }
}
