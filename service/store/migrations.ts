// Schema of the service database. Each migration runs once, in order, inside a transaction; never edit one that
// has shipped, add the next.
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE plans (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    current_revision INTEGER NOT NULL,
    editable TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE revisions (
    plan_id TEXT NOT NULL REFERENCES plans(id),
    revision INTEGER NOT NULL,
    blob TEXT NOT NULL,
    plan_json TEXT NOT NULL,
    origin TEXT NOT NULL CHECK (origin IN ('import', 'merge', 'resolution')),
    merge_id INTEGER,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    note TEXT,
    PRIMARY KEY (plan_id, revision)
  );
  CREATE TABLE submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id TEXT NOT NULL REFERENCES plans(id),
    unit TEXT NOT NULL,
    source TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('xlsx', 'json')),
    base_revision INTEGER NOT NULL,
    blob TEXT NOT NULL,
    rows_json TEXT NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('full', 'partial')),
    received_at TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    file_name TEXT,
    outcome TEXT NOT NULL DEFAULT 'pending' CHECK (outcome IN ('pending', 'merged', 'superseded', 'refused')),
    reason_json TEXT,
    merge_id INTEGER,
    receipt_json TEXT NOT NULL,
    UNIQUE (plan_id, unit, blob)
  );
  CREATE INDEX submissions_by_outcome ON submissions (plan_id, outcome, id);
  CREATE TABLE merges (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id TEXT NOT NULL REFERENCES plans(id),
    status TEXT NOT NULL CHECK (status IN ('running', 'done', 'empty', 'interrupted', 'failed')),
    trigger TEXT NOT NULL,
    started_by TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    current_revision INTEGER NOT NULL,
    new_revision INTEGER,
    up_to_submission INTEGER NOT NULL,
    report_json TEXT,
    merged_blob TEXT,
    error TEXT
  );
  -- Never two merges at once, whichever process starts them.
  CREATE UNIQUE INDEX merges_one_running ON merges (status) WHERE status = 'running';
  CREATE TABLE conflicts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id TEXT NOT NULL REFERENCES plans(id),
    merge_id INTEGER NOT NULL REFERENCES merges(id),
    revision INTEGER NOT NULL,
    kind TEXT NOT NULL,
    row_id TEXT,
    column_name TEXT,
    base TEXT,
    current TEXT,
    values_json TEXT NOT NULL,
    message_json TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    resolved_by TEXT,
    resolved_at TEXT,
    resolution TEXT CHECK (resolution IN ('value', 'keep')),
    resolved_value TEXT,
    resolved_revision INTEGER
  );
  CREATE INDEX conflicts_by_status ON conflicts (plan_id, status);
  CREATE TABLE tokens (
    id TEXT PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('coordinator', 'unit')),
    unit TEXT,
    label TEXT,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    CHECK ((role = 'unit') = (unit IS NOT NULL))
  );
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    details TEXT
  );
  `,
  // A conflict an edit of a later merge or resolution made moot (the same cell applied or conflicted again) is closed
  // with the revision that did it, so resolving it later cannot write its old choices over the newer value.
  `
  ALTER TABLE conflicts ADD COLUMN superseded_by INTEGER;
  `,
  // Reminders by e-mail and calendar feeds (service/reminders): each unit's addresses and language, the plan's reminder
  // rules, the revocable feed keys (only their hash), and the log of every message claimed before it is sent: the
  // unique (plan, recipient, kind, day) row is what keeps a rerun, a restart or a second instance from sending twice.
  `
  CREATE TABLE unit_contacts (
    plan_id TEXT NOT NULL REFERENCES plans(id),
    unit TEXT NOT NULL,
    email TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('legend', 'api')),
    added_at TEXT NOT NULL,
    refused_at TEXT,
    refused_reason TEXT,
    PRIMARY KEY (plan_id, unit, email)
  );
  CREATE TABLE unit_settings (
    plan_id TEXT NOT NULL REFERENCES plans(id),
    unit TEXT NOT NULL,
    lang TEXT NOT NULL DEFAULT 'ro' CHECK (lang IN ('ro', 'en')),
    PRIMARY KEY (plan_id, unit)
  );
  CREATE TABLE reminder_settings (
    plan_id TEXT PRIMARY KEY REFERENCES plans(id),
    settings_json TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE feed_keys (
    id TEXT PRIMARY KEY,
    plan_id TEXT NOT NULL REFERENCES plans(id),
    unit TEXT,
    hash TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
  );
  CREATE TABLE reminder_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id TEXT NOT NULL REFERENCES plans(id),
    unit TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('unit', 'digest')),
    day TEXT NOT NULL,
    rules_json TEXT NOT NULL,
    action_ids_json TEXT NOT NULL,
    items_json TEXT NOT NULL,
    recipients_json TEXT NOT NULL,
    message_json TEXT NOT NULL,
    message_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('claimed', 'sent', 'retrying', 'failed', 'refused')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    refused_json TEXT,
    error TEXT,
    claimed_at TEXT NOT NULL,
    sent_at TEXT,
    UNIQUE (plan_id, unit, kind, day)
  );
  CREATE INDEX reminder_log_by_status ON reminder_log (status, next_attempt_at);
  `,
  // Page sign-ins (issue 14): the cookie holds a session id, never the API token. Only the id's hash is kept; a
  // session carries the role and unit of the token it was opened with and dies with it (revoked or expired).
  `
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    token_id TEXT NOT NULL REFERENCES tokens(id),
    role TEXT NOT NULL CHECK (role IN ('coordinator', 'unit')),
    unit TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT,
    CHECK ((role = 'unit') = (unit IS NOT NULL))
  );
  CREATE INDEX sessions_by_token ON sessions (token_id);
  `,
  // One-time sign-in codes for the department page (/unit?code=...): the coordinator makes one for a unit and sends
  // the link; only the code's hash is kept, and it is spent by its first use or when it expires.
  `
  CREATE TABLE unit_codes (
    hash TEXT PRIMARY KEY,
    plan_id TEXT NOT NULL REFERENCES plans(id),
    unit TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
  );
  `,
];
