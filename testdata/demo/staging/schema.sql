-- The shop's schema as staging has it (SQLite DDL, for the demo: no server
-- needed). Rails-style migration history included.
CREATE TABLE customers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  email TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE orders (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  customer_id INTEGER NOT NULL REFERENCES customers (id),
  status TEXT NOT NULL DEFAULT 'pending',
  amount_cents INTEGER NOT NULL CHECK (amount_cents >= 0),
  payment_intent_id TEXT,
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE INDEX orders_customer ON orders (customer_id);
CREATE UNIQUE INDEX orders_payment_intent ON orders (payment_intent_id);

CREATE TABLE schema_migrations (version TEXT NOT NULL PRIMARY KEY);
INSERT INTO schema_migrations (version) VALUES
  ('20240101120000'),
  ('20240110090000'),
  ('20240215093000');
