// The SQLite schema of <state-dir>/sprint-runner.db and its migrations. The original tables and columns
// come first in each table so tools written against them keep working; docs/state.md describes them.

import type { Database } from 'sql.js';

export const SCHEMA_VERSION = 1;

/** Each entry upgrades from version i to i + 1; applied in one transaction with the version bump. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  CREATE TABLE batches (
    id INTEGER PRIMARY KEY,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    max_cycles INTEGER,
    cycles_completed INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    run_id TEXT NOT NULL,
    batch_mode TEXT NOT NULL,
    options_json TEXT NOT NULL,
    reason TEXT
  );
  CREATE TABLE stories (
    id INTEGER PRIMARY KEY,
    batch_id INTEGER NOT NULL REFERENCES batches(id),
    story_key TEXT NOT NULL,
    epic_id TEXT,
    status TEXT,
    started_at INTEGER,
    ended_at INTEGER,
    updated_at INTEGER,
    UNIQUE (batch_id, story_key)
  );
  CREATE INDEX idx_stories_key ON stories(story_key);
  CREATE TABLE commands (
    id INTEGER PRIMARY KEY,
    story_id INTEGER REFERENCES stories(id),
    command TEXT NOT NULL,
    task_id TEXT,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    status TEXT NOT NULL,
    output_summary TEXT,
    batch_id INTEGER NOT NULL REFERENCES batches(id),
    step_key TEXT NOT NULL,
    cycle INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    story_keys TEXT NOT NULL,
    epic_id TEXT,
    model TEXT,
    outcome TEXT,
    input_tokens INTEGER,
    output_tokens INTEGER,
    cache_creation_input_tokens INTEGER,
    cache_read_input_tokens INTEGER,
    cost_usd REAL,
    duration_ms INTEGER,
    num_turns INTEGER,
    session_id TEXT,
    log_path TEXT,
    pid INTEGER,
    pid_start_time TEXT
  );
  CREATE INDEX idx_commands_batch ON commands(batch_id, cycle);
  CREATE INDEX idx_commands_step ON commands(batch_id, step_key);
  CREATE TABLE command_stories (
    command_id INTEGER NOT NULL REFERENCES commands(id),
    story_key TEXT NOT NULL,
    story_id INTEGER REFERENCES stories(id),
    share REAL NOT NULL,
    PRIMARY KEY (command_id, story_key)
  );
  CREATE INDEX idx_command_stories_key ON command_stories(story_key);
  CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    batch_id INTEGER,
    story_id INTEGER,
    command_id INTEGER,
    timestamp INTEGER NOT NULL,
    epic_id TEXT,
    story_key TEXT,
    command TEXT,
    task_id TEXT,
    status TEXT,
    message TEXT,
    type TEXT NOT NULL,
    step_key TEXT,
    payload_json TEXT NOT NULL
  );
  CREATE INDEX idx_events_batch ON events(batch_id, id);
  CREATE INDEX idx_events_story ON events(story_key, id);
  CREATE TABLE background_tasks (
    id INTEGER PRIMARY KEY,
    batch_id INTEGER,
    story_key TEXT,
    task_type TEXT NOT NULL,
    spawned_at INTEGER NOT NULL,
    completed_at INTEGER,
    status TEXT NOT NULL,
    pid INTEGER,
    pid_start_time TEXT
  );
  CREATE TABLE steps (
    id INTEGER PRIMARY KEY,
    batch_id INTEGER NOT NULL REFERENCES batches(id),
    step_key TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    result_json TEXT,
    UNIQUE (batch_id, step_key)
  );
  CREATE TABLE story_blocks (
    id INTEGER PRIMARY KEY,
    story_key TEXT NOT NULL,
    previous_status TEXT NOT NULL,
    reason TEXT NOT NULL,
    blocked_at INTEGER NOT NULL,
    unblocked_at INTEGER
  );
  CREATE INDEX idx_story_blocks_key ON story_blocks(story_key, id);
  `,
];

export class SchemaVersionError extends Error {
  constructor(found: number) {
    super(
      `the database has schema version ${found}, newer than this Sprint Runner understands (${SCHEMA_VERSION}). ` +
        'Update Sprint Runner, or point it at another state folder (--state-dir).',
    );
    this.name = 'SchemaVersionError';
  }
}

export function readSchemaVersion(db: Database): number {
  const hasMeta = db.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'");
  if (hasMeta.length === 0) return 0;
  const rows = db.exec("SELECT value FROM meta WHERE key = 'schema_version'");
  return rows.length === 0 ? 0 : Number(rows[0].values[0][0]);
}

/** Brings `db` to SCHEMA_VERSION. Returns the version it found. */
export function migrate(db: Database): number {
  const found = readSchemaVersion(db);
  if (found > SCHEMA_VERSION) throw new SchemaVersionError(found);
  for (let v = found; v < SCHEMA_VERSION; v++) {
    db.run('BEGIN');
    try {
      db.run(MIGRATIONS[v]);
      db.run("INSERT INTO meta(key, value) VALUES ('schema_version', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [
        String(v + 1),
      ]);
      db.run('COMMIT');
    } catch (err) {
      db.run('ROLLBACK');
      throw err;
    }
  }
  return found;
}
