package healthstream.bench.streams;

import java.time.LocalDate;
import java.util.regex.Pattern;

/**
 * ISO 8601 with a mandatory offset, as packages/shared/src/domain/timestamps.ts reads it: the same
 * shape, impossible dates and offsets beyond ±18:00 rejected, fraction digits past the microsecond
 * truncated, instants outside ±(2^53 − 1) µs rejected (JavaScript's safe integers).
 */
final class Timestamps {
  static final long MICROS_PER_DAY = 86_400_000_000L;
  static final long MAX_SAFE = 9_007_199_254_740_991L;
  // matches() anchors both ends; a '$' would also accept a trailing newline
  private static final Pattern SHAPE =
      Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?(?:Z|[+-]\\d{2}:\\d{2})");

  private Timestamps() {}

  /** Epoch micros and the offset the string was written in. */
  record Parsed(long micros, int offsetMinutes) {}

  /** The instant, or null when the string is not an accepted ISO 8601 date-time. */
  static Parsed parse(String s) {
    if (s == null || !SHAPE.matcher(s).matches()) return null;
    int year = two(s, 0) * 100 + two(s, 2);
    int month = two(s, 5);
    int day = two(s, 8);
    int hour = two(s, 11);
    int minute = two(s, 14);
    int second = two(s, 17);
    if (month < 1 || month > 12 || day < 1 || day > LocalDate.of(year, month, 1).lengthOfMonth()) return null;
    if (hour > 23 || minute > 59 || second > 59) return null;
    int offsetAt = s.charAt(s.length() - 1) == 'Z' ? s.length() - 1 : s.length() - 6;
    int offset = 0;
    if (s.charAt(offsetAt) != 'Z') {
      int oh = two(s, offsetAt + 1);
      int om = two(s, offsetAt + 4);
      if (om > 59 || oh * 60 + om > 18 * 60) return null;
      offset = (s.charAt(offsetAt) == '-' ? -1 : 1) * (oh * 60 + om);
    }
    long fraction = 0;
    for (int i = 0; i < 6; i++) fraction = fraction * 10 + (20 + i < offsetAt ? s.charAt(20 + i) - '0' : 0);
    if (offsetAt <= 20) fraction = 0;
    long seconds = LocalDate.of(year, month, day).toEpochDay() * 86_400L + hour * 3600L + minute * 60L + second;
    long micros = (seconds - offset * 60L) * 1_000_000L + fraction;
    if (Math.abs(micros) > MAX_SAFE) return null;
    return new Parsed(micros, offset);
  }

  private static int two(String s, int i) {
    return (s.charAt(i) - '0') * 10 + s.charAt(i + 1) - '0';
  }

  /** An instant for a message: ISO 8601 UTC (fraction as our formatter writes it). */
  static String describe(long micros) {
    long days = Math.floorDiv(micros, MICROS_PER_DAY);
    long ofDay = micros - days * MICROS_PER_DAY;
    LocalDate date = LocalDate.ofEpochDay(days);
    if (date.getYear() < 0 || date.getYear() > 9999) return Long.toString(micros);
    long secs = ofDay / 1_000_000L;
    long frac = ofDay % 1_000_000L;
    String fraction = frac == 0 ? "" : frac % 1000 == 0 ? String.format(".%03d", frac / 1000) : String.format(".%06d", frac);
    return String.format("%04d-%02d-%02dT%02d:%02d:%02d%sZ", date.getYear(), date.getMonthValue(),
        date.getDayOfMonth(), secs / 3600, secs / 60 % 60, secs % 60, fraction);
  }
}
