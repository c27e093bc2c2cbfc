-- migrate:up
CREATE TABLE orders (id BIGINT PRIMARY KEY, customer_id BIGINT NOT NULL);

-- migrate:down
DROP TABLE orders;
