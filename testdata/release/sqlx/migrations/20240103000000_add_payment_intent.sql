ALTER TABLE orders ADD COLUMN payment_intent_id VARCHAR(64);
