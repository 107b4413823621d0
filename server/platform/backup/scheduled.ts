import fs from 'node:fs';
import path from 'node:path';
import type { Database } from '../db/database';
import type { JobQueue } from '../jobs/job-queue';
import { nextTick } from '../jobs/schedules';
import { backupToFile } from './backup';

/** The scheduled backups' settings (RAPPORT_BACKUP_DIR, RAPPORT_BACKUP_EVERY, RAPPORT_BACKUP_KEEP, RAPPORT_BACKUP_PASSPHRASE). */
export interface BackupSchedule {
  backupDir?: string;
  backupEvery: string;
  backupKeep: number;
  backupPassphrase?: string;
}

export const BACKUP_QUEUE = 'platform.backup';
const FILE_PATTERN = /^rapport-\d{8}T\d{6}Z\.backup$/;

/**
 * RAPPORT_BACKUP_EVERY as a cron expression: "15m", "30m", "1h", "6h", "12h", "1d" (an
 * interval that divides an hour or a day evenly, on the clock: 6h is 00:00, 06:00…),
 * "daily", "hourly", or a cron expression itself. Throws with a message naming the
 * variable when it is none of these.
 */
export function backupCron(every: string): string {
  const text = every.trim().toLowerCase();
  if (text === 'hourly') return '7 * * * *';
  if (text === 'daily') return '37 2 * * *';
  const m = /^(\d+)\s*(m|h|d)$/.exec(text);
  if (m) {
    const n = Number(m[1]);
    if (m[2] === 'm' && n >= 5 && n < 60 && 60 % n === 0) return `*/${n} * * * *`;
    if (m[2] === 'h' && n === 1) return '7 * * * *';
    if (m[2] === 'h' && n > 1 && n < 24 && 24 % n === 0) return `7 */${n} * * *`;
    if ((m[2] === 'h' && n === 24) || (m[2] === 'd' && n === 1)) return '37 2 * * *';
    throw new Error(
      `RAPPORT_BACKUP_EVERY: "${every}" does not divide an hour or a day evenly (use e.g. 15m, 1h, 6h, 1d or a cron expression)`,
    );
  }
  try {
    nextTick(every, new Date());
  } catch {
    throw new Error(`RAPPORT_BACKUP_EVERY: "${every}" is neither an interval (15m, 1h, 6h, 1d) nor a cron expression`);
  }
  return every;
}

/** A backup file's name for the moment `at`: rapport-20261207T023000Z.backup (sorts by time). */
export const backupFileName = (at: Date) =>
  `rapport-${at
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '')}.backup`;

/** Deletes the oldest scheduled backups in `dir` beyond the newest `keep`; returns the names deleted. */
export function pruneBackups(dir: string, keep: number): string[] {
  const files = fs
    .readdirSync(dir)
    .filter((f) => FILE_PATTERN.test(f))
    .sort()
    .reverse();
  const gone = files.slice(Math.max(1, keep));
  for (const f of gone) fs.rmSync(path.join(dir, f), { force: true });
  return gone;
}

/** One scheduled backup: a whole-instance backup into `dir`, then the retention. */
export async function runScheduledBackup(
  database: Database,
  schedule: BackupSchedule & { backupDir: string },
  now: Date,
): Promise<{ file: string; rows: number; deleted: string[] }> {
  fs.mkdirSync(schedule.backupDir, { recursive: true, mode: 0o700 });
  const file = path.join(schedule.backupDir, backupFileName(now));
  const manifest = await backupToFile(database, file, { passphrase: schedule.backupPassphrase });
  const deleted = pruneBackups(schedule.backupDir, schedule.backupKeep);
  return { file, rows: manifest.tables.reduce((n, t) => n + t.rows, 0), deleted };
}

/**
 * Scheduled backups as a job-queue cron job (one server of several runs each tick).
 * The queue is always defined, so a tick left from an earlier configuration finishes
 * as a no-op; the schedule is declared only when RAPPORT_BACKUP_DIR is set.
 */
export function registerScheduledBackups(jobs: JobQueue, schedule: BackupSchedule): void {
  const cron = schedule.backupDir ? backupCron(schedule.backupEvery) : null;
  jobs.define(
    BACKUP_QUEUE,
    async (_job, { database, now }) => {
      if (!schedule.backupDir) return { skipped: 'RAPPORT_BACKUP_DIR is not set' };
      return runScheduledBackup(database, { ...schedule, backupDir: schedule.backupDir }, now());
    },
    // A large backup may take a while: one at a time, and not taken back mid-way.
    { concurrency: 1, maxAttempts: 2, leaseSeconds: 6 * 3600 },
  );
  if (cron) jobs.schedule(BACKUP_QUEUE, cron, { queue: BACKUP_QUEUE });
}
