export interface PollerOptions {
  /** Names the loop in the warning logged when a round fails ("<name> failed"). */
  name: string;
  /** Pause between rounds. */
  intervalMs: number;
  /** Pause before the first round (default 0). */
  firstDelayMs?: number;
  /**
   * One round of work. Resolving to `true` means more is waiting: the next round starts at
   * once. A thrown error is logged and the loop carries on after the interval.
   */
  run: () => Promise<unknown>;
  log: { warn(obj: object, msg: string): void };
  /** Keep the process alive while the loop waits (default: the timer does not). */
  keepAlive?: boolean;
}

/**
 * The one background loop for work that is not a job: a worker draining rows that are
 * their own log and lock (the mail outbox, notifications to email, workflow steps, task
 * reminders, the event outbox), where a job per tick would only duplicate that state.
 * Periodic work that fits a cron tick is a job schedule instead (`JobQueue.schedule`).
 *
 * Rounds never overlap; `wake()` runs the next round now (or right after the current
 * one); `stop()` cancels the wait and resolves once a running round has finished, so
 * `runtime.close()` can shut down cleanly. Tests leave loops unstarted and call the
 * owner's round method (`runOnce`, `sweep`, `runDue`, `drain`) directly.
 */
export class Poller {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = true;
  private wakeRequested = false;

  constructor(private readonly opts: PollerOptions) {}

  start(): void {
    this.stopped = false;
    this.schedule(this.opts.firstDelayMs ?? 0);
  }

  /** Runs a round now, or right after the running one. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.wakeRequested = true;
      return;
    }
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.round().finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        const again = this.wakeRequested;
        this.wakeRequested = false;
        this.schedule(again ? 0 : this.opts.intervalMs);
      });
    }, ms);
    if (!this.opts.keepAlive) this.timer.unref?.();
  }

  private async round(): Promise<void> {
    while (!this.stopped) {
      try {
        if ((await this.opts.run()) !== true) return;
      } catch (err) {
        this.opts.log.warn({ err }, `${this.opts.name} failed`);
        return;
      }
    }
  }
}
