/**
 * Batches calls made close together into one, like a group commit: `run` receives
 * every item queued since the last flush (up to `max`) and returns one output per
 * item, in order. At most one flush runs at a time; items that arrive meanwhile go
 * into the next one, so batches grow with the database's latency under load. Used to
 * turn N concurrent jobs' single-row statements (completions, webhook loads and
 * attempt records) into one statement each.
 */
export function coalesce<I, O>(run: (items: I[]) => Promise<O[]>, max = 500): (item: I) => Promise<O> {
  const queue: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  let busy = false;
  const flush = async () => {
    busy = true;
    try {
      while (queue.length > 0) {
        const batch = queue.splice(0, max);
        try {
          const out = await run(batch.map((b) => b.item));
          batch.forEach((b, i) => {
            b.resolve(out[i] as O);
          });
        } catch (err) {
          for (const b of batch) b.reject(err);
        }
      }
    } finally {
      busy = false;
    }
  };
  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (!busy) {
        busy = true;
        setImmediate(() => void flush());
      }
    });
}
