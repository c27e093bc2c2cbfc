-- A small shop schema for the SQLite tests: loaded into a database file AND
-- read as a schema file (in-memory).
PRAGMA foreign_keys = ON;

CREATE TABLE customers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  email TEXT NOT NULL UNIQUE,
  name VARCHAR(100),
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'paid', 'shipped')),
  amount NUMERIC NOT NULL,
  note TEXT DEFAULT 'none',
  payment_intent_id TEXT,
  amount_cents INTEGER GENERATED ALWAYS AS (amount * 100) STORED,
  deleted_at TEXT,
  CONSTRAINT orders_amount_positive CHECK (amount > 0)
);

CREATE INDEX orders_customer ON orders (customer_id);
CREATE UNIQUE INDEX orders_payment ON orders (payment_intent_id) WHERE deleted_at IS NULL;
CREATE INDEX orders_status_created ON orders (status, deleted_at DESC);

CREATE TABLE tags (name TEXT PRIMARY KEY, weight INTEGER) WITHOUT ROWID;
CREATE TABLE strict_things (id INTEGER PRIMARY KEY, label TEXT) STRICT;

CREATE VIEW paid_orders AS SELECT id, amount FROM orders WHERE status = 'paid';

CREATE TRIGGER orders_touch AFTER UPDATE ON orders
BEGIN
  UPDATE orders SET deleted_at = NULL WHERE id = NEW.id AND NEW.status = 'pending';
END;
