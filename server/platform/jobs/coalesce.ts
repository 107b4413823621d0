/**
 * Batches calls made close together into one: `run` receives every item queued
 * since the last flush (up to `max`) and returns one output per item, in order.
 * Used to turn N concurrent jobs' single-row statements into one statement
 * (completions, webhook loads and attempt records), which keeps the queue's
 * database overhead per job small under load.
 */
export function coalesce<I, O>(run: (items: I[]) => Promise<O[]>, max = 500): (item: I) => Promise<O> {
  const queue: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  let scheduled = false;
  const flush = async () => {
    scheduled = false;
    const batch = queue.splice(0, max);
    if (queue.length > 0) schedule();
    try {
      const out = await run(batch.map((b) => b.item));
      batch.forEach((b, i) => {
        b.resolve(out[i] as O);
      });
    } catch (err) {
      for (const b of batch) b.reject(err);
    }
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => void flush());
  };
  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      schedule();
    });
}
