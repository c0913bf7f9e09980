-- +goose Up
-- Retention (R14): one row per daily slot, claimed with a lease so several
-- workers run a slot once. The cut-off is fixed when the slot starts; the
-- purge walks message ids up to max_id and stores how far it got (last_id)
-- and its counts in the same transaction as each batch, so a killed run
-- resumes exactly where the last commit left it. pending_keys holds the
-- attachment files of the last committed batch until they are removed.
CREATE TABLE retention_runs (
    id                    BIGINT AUTO_INCREMENT PRIMARY KEY,
    slot_at               DATETIME(6) NOT NULL,
    cutoff                DATETIME(6) NOT NULL,
    retention_days        INT NOT NULL,
    max_id                BIGINT NOT NULL DEFAULT 0,
    last_id               BIGINT NOT NULL DEFAULT 0,
    deleted_messages      BIGINT NOT NULL DEFAULT 0,
    kept_escalated        BIGINT NOT NULL DEFAULT 0,
    kept_open_order       BIGINT NOT NULL DEFAULT 0,
    deleted_attachments   BIGINT NOT NULL DEFAULT 0,
    deleted_conversations BIGINT NOT NULL DEFAULT 0,
    batches               BIGINT NOT NULL DEFAULT 0,
    attempts              INT NOT NULL DEFAULT 0,
    pending_keys          MEDIUMTEXT NOT NULL,
    lease_owner           VARCHAR(64) NOT NULL DEFAULT '',
    lease_until           DATETIME(6),
    started_at            DATETIME(6) NOT NULL,
    finished_at           DATETIME(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE UNIQUE INDEX retention_runs_slot ON retention_runs (slot_at);

-- Small persistent state of the jobs (the distribution's round-robin
-- pointer, the last slot each periodic job was scheduled for).
CREATE TABLE job_state (
    name       VARCHAR(100) PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Auto-close (R16) walks idle conversations per status by public activity.
CREATE INDEX conversations_idle ON conversations (status, public_last_at, id);

-- +goose Down
DROP INDEX conversations_idle ON conversations;
DROP TABLE job_state;
DROP TABLE retention_runs;
