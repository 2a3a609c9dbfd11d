// The reminders' rows in the service database (tables of the last migration in service/store/migrations.ts): unit
// contacts, per-unit language, the plan's settings, calendar feed keys (hashes only) and the log of messages.
import { randomBytes } from 'node:crypto';
import type { Unit } from '../../plan/model';
import { sha256 } from '../store/blobs';
import type { Store } from '../store/store';
import type { Lang, Message } from './messages';
import { DEFAULT_SETTINGS, ReminderSettings, type Rule } from './rules';

export type LogStatus = 'claimed' | 'sent' | 'retrying' | 'failed' | 'refused';
export type LogKind = 'unit' | 'digest';

export interface Contact {
  email: string;
  source: 'legend' | 'api';
  refusedAt: string | null;
  refusedReason: string | null;
}

export interface LogRecord {
  id: number;
  planId: string;
  unit: string;
  kind: LogKind;
  day: string;
  rules: Rule[];
  actionIds: string[];
  items: { rule: Rule; key: string }[];
  recipients: string[];
  message: Message;
  messageId: string;
  status: LogStatus;
  attempts: number;
  nextAttemptAt: string | null;
  refused: { email: string; reason: string }[];
  error: string | null;
  claimedAt: string;
  sentAt: string | null;
}

export interface NewLog {
  planId: string;
  unit: string;
  kind: LogKind;
  day: string;
  items: { rule: Rule; key: string }[];
  actionIds: string[];
  recipients: string[];
  message: Message;
  messageId: string;
}

type Row = Record<string, unknown>;
const now = (): string => new Date().toISOString();

function toLog(r: Row): LogRecord {
  const items = JSON.parse(r.items_json as string) as LogRecord['items'];
  return {
    id: Number(r.id),
    planId: r.plan_id as string,
    unit: r.unit as string,
    kind: r.kind as LogKind,
    day: r.day as string,
    rules: JSON.parse(r.rules_json as string) as Rule[],
    actionIds: JSON.parse(r.action_ids_json as string) as string[],
    items,
    recipients: JSON.parse(r.recipients_json as string) as string[],
    message: JSON.parse(r.message_json as string) as Message,
    messageId: r.message_id as string,
    status: r.status as LogStatus,
    attempts: Number(r.attempts),
    nextAttemptAt: (r.next_attempt_at as string | null) ?? null,
    refused: r.refused_json ? (JSON.parse(r.refused_json as string) as LogRecord['refused']) : [],
    error: (r.error as string | null) ?? null,
    claimedAt: r.claimed_at as string,
    sentAt: (r.sent_at as string | null) ?? null,
  };
}

export class ReminderStore {
  constructor(private readonly store: Store) {}

  private get db() {
    return this.store.db;
  }

  // ------------------------------------------------------------ contacts and per-unit settings

  contacts(planId: string, unit: string): Contact[] {
    return (
      this.db
        .prepare('SELECT * FROM unit_contacts WHERE plan_id = ? AND unit = ? ORDER BY added_at, email')
        .all(planId, unit) as Row[]
    ).map((r) => ({
      email: r.email as string,
      source: r.source as Contact['source'],
      refusedAt: (r.refused_at as string | null) ?? null,
      refusedReason: (r.refused_reason as string | null) ?? null,
    }));
  }

  /** Replaces a unit's addresses; an address kept keeps its refusal record until it is removed and added again. */
  setContacts(planId: string, unit: string, emails: string[], source: Contact['source'], lang?: Lang): void {
    this.db.transaction(() => {
      const keep = new Set(emails);
      for (const c of this.contacts(planId, unit)) {
        if (!keep.has(c.email)) {
          this.db
            .prepare('DELETE FROM unit_contacts WHERE plan_id = ? AND unit = ? AND email = ?')
            .run(planId, unit, c.email);
        }
      }
      const insert = this.db.prepare(
        'INSERT OR IGNORE INTO unit_contacts (plan_id, unit, email, source, added_at) VALUES (?, ?, ?, ?, ?)',
      );
      for (const email of emails) insert.run(planId, unit, email, source, now());
      if (lang) this.setLang(planId, unit, lang);
    })();
  }

  /** At import: the addresses of the legend's `E-mail` column. */
  importLegend(planId: string, units: readonly Unit[]): number {
    let n = 0;
    for (const u of units) {
      if (!u.emails?.length) continue;
      this.setContacts(planId, u.code, u.emails, 'legend');
      n += u.emails.length;
    }
    return n;
  }

  markRefused(planId: string, unit: string, email: string, reason: string): void {
    this.db
      .prepare(
        'UPDATE unit_contacts SET refused_at = ?, refused_reason = ? WHERE plan_id = ? AND unit = ? AND email = ?',
      )
      .run(now(), reason.slice(0, 500), planId, unit, email);
  }

  lang(planId: string, unit: string): Lang {
    const r = this.db.prepare('SELECT lang FROM unit_settings WHERE plan_id = ? AND unit = ?').get(planId, unit) as
      Row | undefined;
    return r?.lang === 'en' ? 'en' : 'ro';
  }

  setLang(planId: string, unit: string, lang: Lang): void {
    this.db
      .prepare(
        'INSERT INTO unit_settings (plan_id, unit, lang) VALUES (?, ?, ?) ON CONFLICT (plan_id, unit) DO UPDATE SET lang = excluded.lang',
      )
      .run(planId, unit, lang);
  }

  // ------------------------------------------------------------ the plan's rules

  settings(planId: string): ReminderSettings {
    const r = this.db.prepare('SELECT settings_json FROM reminder_settings WHERE plan_id = ?').get(planId) as
      Row | undefined;
    if (!r) return DEFAULT_SETTINGS;
    const parsed = ReminderSettings.safeParse(JSON.parse(r.settings_json as string));
    return parsed.success ? parsed.data : DEFAULT_SETTINGS;
  }

  setSettings(planId: string, settings: ReminderSettings, by: string): void {
    this.db
      .prepare(
        `INSERT INTO reminder_settings (plan_id, settings_json, updated_by, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (plan_id) DO UPDATE SET settings_json = excluded.settings_json, updated_by = excluded.updated_by,
         updated_at = excluded.updated_at`,
      )
      .run(planId, JSON.stringify(settings), by, now());
  }

  // ------------------------------------------------------------ calendar feed keys

  /** A new feed key for one unit (or the whole plan when `unit` is null); the caller shows `key` once. */
  createFeedKey(planId: string, unit: string | null, by: string): { id: string; key: string } {
    const key = 'cal_' + randomBytes(32).toString('base64url');
    const id = randomBytes(6).toString('hex');
    this.db
      .prepare('INSERT INTO feed_keys (id, plan_id, unit, hash, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(id, planId, unit, sha256(key), by, now());
    return { id, key };
  }

  /** The live key's scope: `{unit}` (null = whole plan), or undefined when unknown or revoked. */
  findFeedKey(planId: string, key: string): { id: string; unit: string | null } | undefined {
    if (!/^cal_[A-Za-z0-9_-]{43}$/.test(key)) return undefined;
    const r = this.db
      .prepare('SELECT id, unit FROM feed_keys WHERE plan_id = ? AND hash = ? AND revoked_at IS NULL')
      .get(planId, sha256(key)) as Row | undefined;
    return r ? { id: r.id as string, unit: (r.unit as string | null) ?? null } : undefined;
  }

  listFeedKeys(planId: string): { id: string; unit: string | null; createdAt: string; revokedAt: string | null }[] {
    return (
      this.db.prepare('SELECT * FROM feed_keys WHERE plan_id = ? ORDER BY created_at, id').all(planId) as Row[]
    ).map((r) => ({
      id: r.id as string,
      unit: (r.unit as string | null) ?? null,
      createdAt: r.created_at as string,
      revokedAt: (r.revoked_at as string | null) ?? null,
    }));
  }

  revokeFeedKey(planId: string, id: string): boolean {
    return (
      this.db
        .prepare('UPDATE feed_keys SET revoked_at = ? WHERE plan_id = ? AND id = ? AND revoked_at IS NULL')
        .run(now(), planId, id).changes > 0
    );
  }

  // ------------------------------------------------------------ the message log

  /**
   * Claims the day's message for a recipient before anything is sent: one transaction inserts the row, and the
   * unique (plan, unit, kind, day) makes a second claim (a rerun, a restart, another instance) come back null.
   */
  claim(input: NewLog): LogRecord | null {
    return this.db
      .transaction(() => {
        const info = this.db
          .prepare(
            `INSERT OR IGNORE INTO reminder_log (plan_id, unit, kind, day, rules_json, action_ids_json, items_json,
             recipients_json, message_json, message_id, status, attempts, claimed_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'claimed', 0, ?)`,
          )
          .run(
            input.planId,
            input.unit,
            input.kind,
            input.day,
            JSON.stringify([...new Set(input.items.map((i) => i.rule))]),
            JSON.stringify(input.actionIds),
            JSON.stringify(input.items),
            JSON.stringify(input.recipients),
            JSON.stringify(input.message),
            input.messageId,
            now(),
          );
        return info.changes === 1 ? this.getLog(Number(info.lastInsertRowid))! : null;
      })
      .immediate();
  }

  getLog(id: number): LogRecord | undefined {
    const r = this.db.prepare('SELECT * FROM reminder_log WHERE id = ?').get(id) as Row | undefined;
    return r ? toLog(r) : undefined;
  }

  /** Takes a row for a (re)send: only one process wins it (status moves to claimed with a fresh claim time). */
  takeForRetry(id: number, staleBefore: string, at: string): LogRecord | null {
    const changes = this.db
      .prepare(
        `UPDATE reminder_log SET status = 'claimed', claimed_at = ?
         WHERE id = ? AND ((status = 'retrying' AND next_attempt_at <= ?) OR (status = 'claimed' AND claimed_at < ?))`,
      )
      .run(at, id, at, staleBefore).changes;
    return changes === 1 ? this.getLog(id)! : null;
  }

  /** Rows a retry pass may take: due retries, and claims a crashed process left behind. */
  dueRetries(at: string, staleBefore: string): LogRecord[] {
    return (
      this.db
        .prepare(
          `SELECT * FROM reminder_log WHERE (status = 'retrying' AND next_attempt_at <= ?)
             OR (status = 'claimed' AND claimed_at < ?) ORDER BY id`,
        )
        .all(at, staleBefore) as Row[]
    ).map(toLog);
  }

  finish(
    id: number,
    outcome: {
      status: Exclude<LogStatus, 'claimed'>;
      attempts: number;
      messageId?: string;
      nextAttemptAt?: string | null;
      refused?: { email: string; reason: string }[];
      error?: string | null;
    },
  ): void {
    this.db
      .prepare(
        `UPDATE reminder_log SET status = ?, attempts = ?, message_id = COALESCE(?, message_id), next_attempt_at = ?,
           refused_json = ?, error = ?, sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END WHERE id = ?`,
      )
      .run(
        outcome.status,
        outcome.attempts,
        outcome.messageId ?? null,
        outcome.nextAttemptAt ?? null,
        outcome.refused?.length ? JSON.stringify(outcome.refused) : null,
        outcome.error ?? null,
        outcome.status,
        now(),
        id,
      );
  }

  /** The last day each (unit, rule, key) went out or is on its way (failed and refused rows do not count). */
  sentIndex(planId: string): Map<string, string> {
    const index = new Map<string, string>();
    const rows = this.db
      .prepare(
        `SELECT unit, day, items_json FROM reminder_log WHERE plan_id = ? AND kind = 'unit'
           AND status IN ('claimed', 'sent', 'retrying') ORDER BY day`,
      )
      .all(planId) as Row[];
    for (const r of rows) {
      for (const item of JSON.parse(r.items_json as string) as { rule: Rule; key: string }[]) {
        index.set(`${r.unit as string}\u0000${item.rule}\u0000${item.key}`, r.day as string);
      }
    }
    return index;
  }

  lastDigestDay(planId: string): string | undefined {
    const r = this.db
      .prepare(
        `SELECT MAX(day) AS day FROM reminder_log WHERE plan_id = ? AND kind = 'digest' AND status IN ('claimed', 'sent', 'retrying')`,
      )
      .get(planId) as Row;
    return (r.day as string | null) ?? undefined;
  }

  listLog(planId: string, limit = 100): LogRecord[] {
    return (
      this.db
        .prepare('SELECT * FROM reminder_log WHERE plan_id = ? ORDER BY id DESC LIMIT ?')
        .all(planId, limit) as Row[]
    ).map(toLog);
  }
}
