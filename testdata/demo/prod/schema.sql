-- The shop's schema as production has it: the last migration (which adds
-- orders.payment_intent_id and its index) never ran here.
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
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE INDEX orders_customer ON orders (customer_id);

CREATE TABLE schema_migrations (version TEXT NOT NULL PRIMARY KEY);
INSERT INTO schema_migrations (version) VALUES
  ('20240101120000'),
  ('20240110090000');
