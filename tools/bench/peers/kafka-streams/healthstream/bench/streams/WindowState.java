package healthstream.bench.streams;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The state of one window of one (user, data type) series, as the window store keeps it: Welford's
 * running statistics (services/aggregator/src/windows/stats.ts), the first and last value by event
 * time (ties: smaller / larger sample id), and where the window stands (fired, revision).
 */
final class WindowState {
  String userId;
  String dataType;
  /** Unit of the first sample that opened the window. */
  String unit;
  String granularity;
  long start;
  long end;
  String label;
  long count;
  double sum;
  double min = Double.POSITIVE_INFINITY;
  double max = Double.NEGATIVE_INFINITY;
  double mean;
  double m2;
  long firstTime;
  double firstValue;
  String firstId;
  long lastTime;
  double lastValue;
  String lastId;
  boolean fired;
  boolean isFinal;
  long revision;

  static WindowState open(String userId, String dataType, String unit, Window w) {
    WindowState s = new WindowState();
    s.userId = userId;
    s.dataType = dataType;
    s.unit = unit;
    s.granularity = w.granularity();
    s.start = w.start();
    s.end = w.end();
    s.label = w.label();
    return s;
  }

  /** Welford's update, in arrival order. */
  void add(double value, long time, String id) {
    count++;
    double delta = value - mean;
    mean += delta / count;
    m2 += delta * (value - mean);
    sum += value;
    min = Math.min(min, value);
    max = Math.max(max, value);
    if (firstId == null || time < firstTime || (time == firstTime && id.compareTo(firstId) < 0)) {
      firstTime = time;
      firstValue = value;
      firstId = id;
    }
    if (lastId == null || time > lastTime || (time == lastTime && id.compareTo(lastId) > 0)) {
      lastTime = time;
      lastValue = value;
      lastId = id;
    }
  }

  byte[] toBytes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(160);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      for (String s : new String[] {userId, dataType, unit, granularity, label, firstId, lastId}) out.writeUTF(s);
      for (long l : new long[] {start, end, count, firstTime, lastTime, revision}) out.writeLong(l);
      for (double d : new double[] {sum, min, max, mean, m2, firstValue, lastValue}) out.writeDouble(d);
      out.writeBoolean(fired);
      out.writeBoolean(isFinal);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static WindowState fromBytes(byte[] data) {
    WindowState s = new WindowState();
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      s.userId = in.readUTF();
      s.dataType = in.readUTF();
      s.unit = in.readUTF();
      s.granularity = in.readUTF();
      s.label = in.readUTF();
      s.firstId = in.readUTF();
      s.lastId = in.readUTF();
      s.start = in.readLong();
      s.end = in.readLong();
      s.count = in.readLong();
      s.firstTime = in.readLong();
      s.lastTime = in.readLong();
      s.revision = in.readLong();
      s.sum = in.readDouble();
      s.min = in.readDouble();
      s.max = in.readDouble();
      s.mean = in.readDouble();
      s.m2 = in.readDouble();
      s.firstValue = in.readDouble();
      s.lastValue = in.readDouble();
      s.fired = in.readBoolean();
      s.isFinal = in.readBoolean();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return s;
  }
}
