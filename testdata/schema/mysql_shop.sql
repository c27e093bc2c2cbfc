-- A small shop schema for the MySQL/MariaDB tests: loaded into a live
-- server AND read from its mysqldump.
CREATE TABLE customers (
  id bigint unsigned NOT NULL AUTO_INCREMENT,
  email varchar(255) NOT NULL,
  name varchar(100) DEFAULT NULL,
  created_at timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp(),
  PRIMARY KEY (id),
  UNIQUE KEY customers_email (email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE orders (
  id bigint unsigned NOT NULL AUTO_INCREMENT,
  customer_id bigint unsigned NOT NULL,
  status enum('pending','paid','shipped') NOT NULL DEFAULT 'pending',
  amount decimal(12,2) NOT NULL,
  note varchar(20) DEFAULT 'none',
  payment_intent_id varchar(64) DEFAULT NULL,
  amount_cents bigint GENERATED ALWAYS AS (amount * 100) STORED,
  doc longtext CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT NULL CHECK (json_valid(doc)),
  PRIMARY KEY (id),
  KEY orders_customer (customer_id),
  KEY orders_status_note (status, note(10)),
  CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE,
  CONSTRAINT orders_amount_positive CHECK (amount > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE VIEW paid_orders AS SELECT id, amount FROM orders WHERE status = 'paid';

CREATE TRIGGER orders_note BEFORE INSERT ON orders FOR EACH ROW SET NEW.note = COALESCE(NEW.note, 'none');

CREATE FUNCTION order_total(p_customer bigint) RETURNS decimal(12,2) READS SQL DATA
  RETURN (SELECT COALESCE(SUM(amount), 0) FROM orders WHERE customer_id = p_customer);

CREATE PROCEDURE archive_orders(IN p_status varchar(20))
  DELETE FROM orders WHERE status = p_status;

CREATE TABLE schema_migrations (
  version varchar(255) NOT NULL,
  PRIMARY KEY (version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
