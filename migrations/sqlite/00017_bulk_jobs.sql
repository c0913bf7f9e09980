-- +goose Up
-- Bulk actions over "all N matching this filter" (inbox/bulkjob.go). A job
-- snapshots the ids matching its filter in its creator's scope
-- (bulk_job_items), then applies its action in batches of at most 500, each
-- batch one transaction that also records the batch (bulk_job_batches,
-- unique per job and number) and moves the job's cursor: a retried or
-- duplicated task resumes after the last committed batch and never applies
-- one twice.
CREATE TABLE bulk_jobs (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    created_by     INTEGER NOT NULL,
    action         TEXT NOT NULL,
    assign_to      INTEGER,
    filter_query   TEXT NOT NULL,
    state          TEXT NOT NULL,
    total          INTEGER NOT NULL DEFAULT 0,
    done           INTEGER NOT NULL DEFAULT 0,
    refused        INTEGER NOT NULL DEFAULT 0,
    batches        INTEGER NOT NULL DEFAULT 0,
    last_id        INTEGER NOT NULL DEFAULT 0,
    message        TEXT NOT NULL DEFAULT '',
    created_at     DATETIME NOT NULL,
    started_at     DATETIME,
    finished_at    DATETIME
);
CREATE INDEX bulk_jobs_creator ON bulk_jobs (created_by, id);

CREATE TABLE bulk_job_items (
    job_id          INTEGER NOT NULL,
    conversation_id INTEGER NOT NULL,
    PRIMARY KEY (job_id, conversation_id),
    CONSTRAINT fk_bulk_job_items_job FOREIGN KEY (job_id) REFERENCES bulk_jobs (id) ON DELETE CASCADE
);

CREATE TABLE bulk_job_batches (
    job_id   INTEGER NOT NULL,
    batch    INTEGER NOT NULL,
    first_id INTEGER NOT NULL,
    last_id  INTEGER NOT NULL,
    size     INTEGER NOT NULL,
    ok       BOOLEAN NOT NULL,
    code     TEXT NOT NULL DEFAULT '',
    message  TEXT NOT NULL DEFAULT '',
    ids      TEXT NOT NULL DEFAULT '',
    at       DATETIME NOT NULL,
    PRIMARY KEY (job_id, batch),
    CONSTRAINT fk_bulk_job_batches_job FOREIGN KEY (job_id) REFERENCES bulk_jobs (id) ON DELETE CASCADE
);

-- +goose Down
DROP TABLE bulk_job_batches;
DROP TABLE bulk_job_items;
DROP INDEX bulk_jobs_creator;
DROP TABLE bulk_jobs;
