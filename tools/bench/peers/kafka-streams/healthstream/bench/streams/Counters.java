package healthstream.bench.streams;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What one pass did, counted by the processors when a record's processing has finished. Under
 * exactly_once_v2 a task that aborts and re-processes counts those records again: fine for a
 * benchmark (it does not happen in a clean run), but these are not exactly-once figures.
 */
final class Counters {
  /** Raw batches read. */
  final AtomicLong records = new AtomicLong();
  /** Samples in the decoded batches (bad timestamps included). */
  final AtomicLong samples = new AtomicLong();
  final AtomicLong validated = new AtomicLong();
  /** Dead letters of every stage. */
  final AtomicLong deadLetters = new AtomicLong();
  final AtomicLong aggregatesOut = new AtomicLong();
  final AtomicLong duplicates = new AtomicLong();
}
