-- +goose Up
-- Bulk actions over "all N matching this filter" (inbox/bulkjob.go). A job
-- snapshots the ids matching its filter in its creator's scope
-- (bulk_job_items), then applies its action in batches of at most 500, each
-- batch one transaction that also records the batch (bulk_job_batches,
-- unique per job and number) and moves the job's cursor: a retried or
-- duplicated task resumes after the last committed batch and never applies
-- one twice.
CREATE TABLE bulk_jobs (
    id             BIGINT AUTO_INCREMENT PRIMARY KEY,
    created_by     BIGINT NOT NULL,
    action         VARCHAR(20) NOT NULL,
    assign_to      BIGINT NULL,
    filter_query   TEXT NOT NULL,
    state          VARCHAR(16) NOT NULL,
    total          INT NOT NULL DEFAULT 0,
    done           INT NOT NULL DEFAULT 0,
    refused        INT NOT NULL DEFAULT 0,
    batches        INT NOT NULL DEFAULT 0,
    last_id        BIGINT NOT NULL DEFAULT 0,
    message        TEXT NOT NULL,
    created_at     DATETIME(6) NOT NULL,
    started_at     DATETIME(6) NULL,
    finished_at    DATETIME(6) NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX bulk_jobs_creator ON bulk_jobs (created_by, id);

CREATE TABLE bulk_job_items (
    job_id          BIGINT NOT NULL,
    conversation_id BIGINT NOT NULL,
    PRIMARY KEY (job_id, conversation_id),
    CONSTRAINT fk_bulk_job_items_job FOREIGN KEY (job_id) REFERENCES bulk_jobs (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE bulk_job_batches (
    job_id   BIGINT NOT NULL,
    batch    INT NOT NULL,
    first_id BIGINT NOT NULL,
    last_id  BIGINT NOT NULL,
    size     INT NOT NULL,
    ok       BOOLEAN NOT NULL,
    code     VARCHAR(32) NOT NULL DEFAULT '',
    message  TEXT NOT NULL,
    ids      TEXT NOT NULL,
    at       DATETIME(6) NOT NULL,
    PRIMARY KEY (job_id, batch),
    CONSTRAINT fk_bulk_job_batches_job FOREIGN KEY (job_id) REFERENCES bulk_jobs (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE bulk_job_batches;
DROP TABLE bulk_job_items;
DROP TABLE bulk_jobs;
