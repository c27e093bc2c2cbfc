-- migrate:up
ALTER TABLE orders ADD COLUMN total_cents BIGINT NOT NULL DEFAULT 0;

-- migrate:down
ALTER TABLE orders DROP COLUMN total_cents;
