-- +goose Up
-- Retention (R14): one row per daily slot, claimed with a lease so several
-- workers run a slot once. The cut-off is fixed when the slot starts; the
-- purge walks message ids up to max_id and stores how far it got (last_id)
-- and its counts in the same transaction as each batch, so a killed run
-- resumes exactly where the last commit left it. pending_keys holds the
-- attachment files of the last committed batch until they are removed.
CREATE TABLE retention_runs (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    slot_at               DATETIME NOT NULL,
    cutoff                DATETIME NOT NULL,
    retention_days        INTEGER NOT NULL,
    max_id                INTEGER NOT NULL DEFAULT 0,
    last_id               INTEGER NOT NULL DEFAULT 0,
    deleted_messages      INTEGER NOT NULL DEFAULT 0,
    kept_escalated        INTEGER NOT NULL DEFAULT 0,
    kept_open_order       INTEGER NOT NULL DEFAULT 0,
    deleted_attachments   INTEGER NOT NULL DEFAULT 0,
    deleted_conversations INTEGER NOT NULL DEFAULT 0,
    batches               INTEGER NOT NULL DEFAULT 0,
    attempts              INTEGER NOT NULL DEFAULT 0,
    pending_keys          TEXT NOT NULL DEFAULT '',
    lease_owner           TEXT NOT NULL DEFAULT '',
    lease_until           DATETIME,
    started_at            DATETIME NOT NULL,
    finished_at           DATETIME
);
CREATE UNIQUE INDEX retention_runs_slot ON retention_runs (slot_at);

-- Small persistent state of the jobs (the distribution's round-robin
-- pointer, the last slot each periodic job was scheduled for).
CREATE TABLE job_state (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at DATETIME NOT NULL
);

-- Auto-close (R16) walks idle conversations per status by public activity.
CREATE INDEX conversations_idle ON conversations (status, public_last_at, id);

-- +goose Down
DROP INDEX conversations_idle;
DROP TABLE job_state;
DROP TABLE retention_runs;
