import { createHash, randomBytes } from 'node:crypto';
import { verify } from '@node-rs/argon2';
import { sql } from 'kysely';
import type { TRecoveryCodes, TTwoFactorSetup, TTwoFactorStatus } from '../../../common/contracts/auth';
import { ACCESS_CHANNEL, auditUserEverywhere, parseAccessChange } from '../access/access.service';
import type { SecretBox } from '../crypto/secret-box';
import type { Database, Tx } from '../db/database';
import type { RoleKey } from '../db/schema';
import { AppError } from '../http/errors';
import type { Actor, SessionUser } from './actor';
import { reserveSignInAttempt, signInFailed, signInSucceeded } from './sign-in-guard';
import { base32Encode, matchTotp, newTotpSecret, otpauthUrl } from './totp';
import { TtlCache } from './ttl-cache';

/** How many recovery codes a user gets (each usable once instead of a code). */
export const RECOVERY_CODE_COUNT = 10;

/** How long "must this user enrol first?" is trusted before the database is asked again. */
const GATE_CACHE_MS = 5_000;

/** 80 random bits as xxxx-xxxx-xxxx-xxxx (base32): too many to guess offline from a SHA-256 hash. */
function newRecoveryCode(): string {
  const raw = base32Encode(randomBytes(10)).toLowerCase();
  return raw.match(/.{4}/g)?.join('-') ?? raw;
}

/** Case, spaces and dashes do not matter when a recovery code is typed. */
const hashRecoveryCode = (code: string) =>
  createHash('sha256').update(code.toLowerCase().replace(/[\s-]/g, '')).digest('hex');

/** The sealed seed is bound to its user: copied to another user's row it does not open. */
const sealContext = (userId: string) => `user_two_factor.secret:${userId}`;

const wrongCode = () =>
  new AppError('unauthenticated', 'The code is not correct', {
    errors: [{ path: 'code', message: 'is not correct or was already used' }],
  });

interface Row {
  secret: string;
  enabled_at: Date | string | null;
  last_used_step: number | string;
}

/**
 * Two-factor authentication of users: TOTP enrolment (`begin` → `enable` with a first code),
 * recovery codes, turning it off, the second step of sign-in, and the workspace rule of who
 * must use it. Every code check counts against the sign-in throttle of the user's email
 * (a wrong code is a failed attempt, like a wrong password), so a stolen password or
 * session cannot brute-force the 6 digits.
 */
export class TwoFactorService {
  private readonly gate = new TtlCache<{ userId: string; must: boolean }>(GATE_CACHE_MS);

  constructor(
    private readonly deps: {
      database: Database;
      secrets: SecretBox;
      issuer?: string;
      /** Clock for code checks (milliseconds). */
      now?: () => number;
    },
  ) {}

  private now(): number {
    return this.deps.now ? this.deps.now() : Date.now();
  }

  private async row(tx: Tx, userId: string): Promise<Row | undefined> {
    const { rows } = await sql<Row>`
      select secret, enabled_at, last_used_step from user_two_factor where user_id = ${userId}`.execute(tx);
    return rows[0];
  }

  /** Whether the workspace's rule requires a second factor of this member. */
  private async requiredOf(tx: Tx, workspaceId: string, role: RoleKey): Promise<boolean> {
    const { rows } = await sql<{ policy: string }>`
      select two_factor_policy as policy from workspaces where id = ${workspaceId}`.execute(tx);
    const policy = rows[0]?.policy ?? 'off';
    return policy === 'everyone' || (policy === 'admins' && role === 'administrator');
  }

  /** The caller's second factor and whether their workspace requires it (`GET /api/v1/me/two-factor`). */
  async status(actor: Actor): Promise<TTwoFactorStatus> {
    const userId = actor.userId;
    if (!userId || actor.kind !== 'user')
      return { enabled: false, pending: false, recoveryCodesLeft: 0, required: false };
    return this.deps.database.system(async (tx) => {
      const row = await this.row(tx, userId);
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from user_recovery_codes where user_id = ${userId} and used_at is null`.execute(tx);
      return {
        enabled: !!row?.enabled_at,
        pending: !!row && !row.enabled_at,
        recoveryCodesLeft: row?.enabled_at ? (rows[0]?.n ?? 0) : 0,
        required: await this.requiredOf(tx, actor.workspaceId, actor.role),
      };
    });
  }

  /** `{ enabled, required }` for the "who am I" answer (absent for API keys). */
  async summary(actor: Actor): Promise<{ enabled: boolean; required: boolean } | undefined> {
    if (actor.kind !== 'user' || !actor.userId) return undefined;
    const s = await this.status(actor);
    return { enabled: s.enabled, required: s.required };
  }

  /**
   * Whether a signed-in member must enrol before doing anything else: their workspace
   * requires a second factor and they have none. Cached a few seconds per user and workspace.
   */
  async mustEnrol(actor: Actor): Promise<boolean> {
    if (actor.kind !== 'user' || !actor.userId) return false;
    const key = `${actor.workspaceId}:${actor.userId}:${actor.role}`;
    const cached = this.gate.get(key);
    if (cached !== undefined) return cached.must;
    const s = await this.status(actor);
    const must = s.required && !s.enabled;
    this.gate.set(key, { userId: actor.userId, must });
    return must;
  }

  /**
   * Starts enrolment: a new secret (shown this once) replaces any unfinished one. Refused
   * while two-factor is on (turn it off first), so a stolen session cannot swap the seed.
   */
  async begin(user: SessionUser): Promise<TTwoFactorSetup> {
    const secret = newTotpSecret();
    const sealed = this.deps.secrets.seal(secret, sealContext(user.id));
    const started = await this.deps.database.system(async (tx) => {
      const { rows } = await sql<{ user_id: string }>`
        insert into user_two_factor (user_id, secret) values (${user.id}, ${sealed})
        on conflict (user_id) do update set secret = excluded.secret, last_used_step = 0, updated_at = now()
          where user_two_factor.enabled_at is null
        returning user_id`.execute(tx);
      return rows.length > 0;
    });
    if (!started) {
      throw new AppError('conflict', 'Two-factor authentication is already on; turn it off first to enrol again');
    }
    return { secret, otpauthUrl: otpauthUrl(this.deps.issuer ?? 'Rapport', user.email, secret) };
  }

  /** Finishes enrolment with a first correct code: two-factor is on, and the recovery codes are returned once. */
  async enable(user: SessionUser, code: string, ip: string): Promise<TRecoveryCodes> {
    await reserveSignInAttempt(this.deps.database, user.email, ip);
    const codes = await this.deps.database.system(async (tx) => {
      const row = await this.row(tx, user.id);
      if (!row) {
        throw new AppError('conflict', 'Start enrolment first (POST /api/v1/me/two-factor)');
      }
      if (row.enabled_at) throw new AppError('conflict', 'Two-factor authentication is already on');
      const step = matchTotp(this.deps.secrets.open(row.secret, sealContext(user.id)), code, this.now());
      if (step === null) return null;
      const { rows } = await sql<{ user_id: string }>`
        update user_two_factor set enabled_at = now(), last_used_step = ${step}, updated_at = now()
        where user_id = ${user.id} and enabled_at is null and last_used_step < ${step}
        returning user_id`.execute(tx);
      if (rows.length === 0) return null;
      return this.replaceRecoveryCodes(tx, user.id);
    });
    if (!codes) {
      await signInFailed(this.deps.database, ip);
      throw wrongCode();
    }
    await signInSucceeded(this.deps.database, user.email);
    this.forget(user.id);
    await auditUserEverywhere(this.deps.database, user.email, 'auth.two_factor_enabled', {});
    return { enabled: true, recoveryCodes: codes };
  }

  /** New recovery codes (the old ones stop working); needs a current code. */
  async regenerateRecoveryCodes(user: SessionUser, code: string, ip: string): Promise<TRecoveryCodes> {
    await this.checkCodeThrottled(user, code, ip);
    const codes = await this.deps.database.system((tx) => this.replaceRecoveryCodes(tx, user.id));
    await auditUserEverywhere(this.deps.database, user.email, 'auth.two_factor_recovery_codes_regenerated', {});
    return { enabled: true, recoveryCodes: codes };
  }

  /** Turns two-factor off, with the password or a current code (or a recovery code). */
  async disable(user: SessionUser, input: { password?: string; code?: string }, ip: string): Promise<void> {
    if (!(await this.isEnabled(user.id))) throw new AppError('conflict', 'Two-factor authentication is not on');
    if (input.code !== undefined) {
      await this.checkCodeThrottled(user, input.code, ip);
    } else {
      await reserveSignInAttempt(this.deps.database, user.email, ip);
      if (!(await this.passwordMatches(user.id, input.password ?? ''))) {
        await signInFailed(this.deps.database, ip);
        throw new AppError('validation_failed', 'The password is not correct', {
          errors: [{ path: 'password', message: 'is not correct' }],
        });
      }
      await signInSucceeded(this.deps.database, user.email);
    }
    await this.deps.database.system(async (tx) => {
      await sql`delete from user_recovery_codes where user_id = ${user.id}`.execute(tx);
      await sql`delete from user_two_factor where user_id = ${user.id}`.execute(tx);
    });
    this.forget(user.id);
    await auditUserEverywhere(this.deps.database, user.email, 'auth.two_factor_disabled', {
      with: input.code !== undefined ? 'code' : 'password',
    });
  }

  /** The id of the user with this email if two-factor is on for them (sign-in then needs a code), else null. */
  async enabledUserId(email: string): Promise<string | null> {
    const { rows } = await sql<{ id: string }>`
      select u.id from users u join user_two_factor t on t.user_id = u.id
      where u.email = ${email} and t.enabled_at is not null`.execute(this.deps.database.db);
    return rows[0]?.id ?? null;
  }

  /** Whether two-factor is on for this user. */
  async isEnabled(userId: string): Promise<boolean> {
    const row = await this.deps.database.system((tx) => this.row(tx, userId));
    return !!row?.enabled_at;
  }

  /** Checks the password against the user's credential (argon2id) without starting a session. */
  async passwordMatches(userId: string, password: string): Promise<boolean> {
    const { rows } = await sql<{ password: string | null }>`
      select password from auth_accounts where user_id = ${userId} and provider_id = 'credential'`.execute(
      this.deps.database.db,
    );
    const stored = rows[0]?.password;
    if (!stored) return false;
    return verify(stored, password).catch(() => false);
  }

  /**
   * Checks a second-factor code: a TOTP code not used before (an accepted step is
   * recorded atomically, so the same code twice, even in parallel, passes once) or an
   * unused recovery code (spent atomically). Returns how it matched, or null.
   */
  async checkCode(userId: string, email: string, code: string): Promise<'totp' | 'recovery' | null> {
    const trimmed = code.trim();
    const method = await this.deps.database.system(async (tx) => {
      const row = await this.row(tx, userId);
      if (!row?.enabled_at) return null;
      if (/^\d{6}$/.test(trimmed)) {
        const step = matchTotp(this.deps.secrets.open(row.secret, sealContext(userId)), trimmed, this.now());
        if (step === null) return null;
        const { rows } = await sql<{ user_id: string }>`
          update user_two_factor set last_used_step = ${step}, updated_at = now()
          where user_id = ${userId} and last_used_step < ${step}
          returning user_id`.execute(tx);
        return rows.length > 0 ? ('totp' as const) : null;
      }
      const { rows } = await sql<{ user_id: string }>`
        update user_recovery_codes set used_at = now()
        where user_id = ${userId} and code_hash = ${hashRecoveryCode(trimmed)} and used_at is null
        returning user_id`.execute(tx);
      return rows.length > 0 ? ('recovery' as const) : null;
    });
    if (method === 'recovery') {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from user_recovery_codes where user_id = ${userId} and used_at is null`.execute(
        this.deps.database.db,
      );
      await auditUserEverywhere(this.deps.database, email, 'auth.two_factor_recovery_used', {
        recoveryCodesLeft: rows[0]?.n ?? 0,
      });
    }
    return method;
  }

  /** `checkCode` for a signed-in user, counted against the sign-in throttle; 401 naming `code` when wrong. */
  private async checkCodeThrottled(user: SessionUser, code: string, ip: string): Promise<void> {
    await reserveSignInAttempt(this.deps.database, user.email, ip);
    if (!(await this.checkCode(user.id, user.email, code))) {
      await signInFailed(this.deps.database, ip);
      throw wrongCode();
    }
    await signInSucceeded(this.deps.database, user.email);
  }

  private async replaceRecoveryCodes(tx: Tx, userId: string): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    await sql`delete from user_recovery_codes where user_id = ${userId}`.execute(tx);
    for (const code of codes) {
      await sql`insert into user_recovery_codes (user_id, code_hash) values (${userId}, ${hashRecoveryCode(code)})`.execute(
        tx,
      );
    }
    return codes;
  }

  /**
   * Drops cached enrolment checks of a workspace when its access settings change on any app
   * server (the two-factor policy is one: WorkspaceSettingsService marks that change stale).
   */
  async listen(): Promise<void> {
    await this.deps.database.listen(ACCESS_CHANNEL, (payload) => {
      const change = parseAccessChange(payload);
      if (change) this.gate.deletePrefix(`${change.workspaceId}:`);
    });
  }

  /** Forget cached enrolment checks of a user (after turning two-factor on or off). */
  forget(userId: string): void {
    this.gate.deleteWhere((v) => v.userId === userId);
  }
}
