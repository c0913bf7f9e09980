-- +goose Up
-- R18: where each conversation was started (portal, widget, api, staff),
-- and on which channel a customer accepted the privacy notice (the table
-- itself, with the text version and time, is 00001's). Conversations from
-- before this migration came through the API.
ALTER TABLE conversations ADD COLUMN channel TEXT NOT NULL DEFAULT 'api';
ALTER TABLE consents ADD COLUMN channel TEXT NOT NULL DEFAULT 'api';
CREATE INDEX consents_customer_version ON consents (customer_id, text_version);

-- +goose Down
DROP INDEX consents_customer_version;
ALTER TABLE consents DROP COLUMN channel;
ALTER TABLE conversations DROP COLUMN channel;
