-- A small shop schema with one object of every kind, for the PostgreSQL
-- tests: loaded into a live database AND read as a schema file.
CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;

CREATE TYPE public.order_status AS ENUM ('pending', 'paid', 'shipped');

CREATE DOMAIN public.positive_amount AS numeric(12,2) NOT NULL CONSTRAINT positive_amount_check CHECK (VALUE > 0);

CREATE SEQUENCE public.invoice_no START WITH 1000 INCREMENT BY 1;

CREATE TABLE public.customers (
    id bigserial PRIMARY KEY,
    email character varying(255) NOT NULL UNIQUE,
    name text,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE public.orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES public.customers(id) ON DELETE CASCADE,
    status public.order_status DEFAULT 'pending' NOT NULL,
    amount numeric(12,2) NOT NULL CHECK (amount > 0),
    note varchar(20) DEFAULT 'none',
    payment_intent_id text,
    amount_cents bigint GENERATED ALWAYS AS ((amount * 100)::bigint) STORED,
    deleted_at timestamptz,
    tenant text DEFAULT 'main' NOT NULL
);

CREATE INDEX orders_customer_idx ON public.orders USING btree (customer_id);
CREATE UNIQUE INDEX orders_payment_idx ON public.orders (payment_intent_id) WHERE deleted_at IS NULL;
CREATE INDEX orders_status_created_idx ON public.orders (status, deleted_at DESC) INCLUDE (amount);

CREATE TABLE public.events (
    id bigint NOT NULL,
    at timestamp with time zone NOT NULL,
    payload jsonb
) PARTITION BY RANGE (at);
CREATE TABLE public.events_2024 PARTITION OF public.events FOR VALUES FROM ('2024-01-01 00:00:00+00') TO ('2025-01-01 00:00:00+00');
CREATE TABLE public.events_2025 PARTITION OF public.events FOR VALUES FROM ('2025-01-01 00:00:00+00') TO ('2026-01-01 00:00:00+00');

CREATE TABLE public.audit_base (
    at timestamp with time zone DEFAULT now() NOT NULL,
    actor text
);
CREATE TABLE public.order_audit (
    order_id bigint NOT NULL
) INHERITS (public.audit_base);

CREATE VIEW public.paid_orders AS
 SELECT orders.id,
    orders.amount
   FROM public.orders
  WHERE (orders.status = 'paid'::public.order_status);

CREATE MATERIALIZED VIEW public.order_totals AS
 SELECT orders.customer_id,
    sum(orders.amount) AS total
   FROM public.orders
  GROUP BY orders.customer_id
  WITH NO DATA;

CREATE FUNCTION public.touch() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
begin
  new.deleted_at := null;
  return new;
end
$$;

CREATE FUNCTION public.order_count(p_customer bigint, p_status public.order_status DEFAULT 'paid') RETURNS bigint
    LANGUAGE sql STABLE
    AS $$ select count(*) from public.orders where customer_id = p_customer and status = p_status $$;

CREATE PROCEDURE public.archive_orders(IN p_before timestamp with time zone)
    LANGUAGE sql
    AS $$ delete from public.orders where deleted_at < p_before $$;

CREATE TRIGGER orders_touch BEFORE UPDATE ON public.orders FOR EACH ROW EXECUTE FUNCTION public.touch();

ALTER TABLE public.orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY orders_tenant ON public.orders FOR SELECT TO PUBLIC USING ((tenant = CURRENT_USER));

CREATE TABLE public.flyway_schema_history (
    installed_rank integer NOT NULL PRIMARY KEY,
    version character varying(50),
    description character varying(200) NOT NULL,
    type character varying(20) NOT NULL,
    script character varying(1000) NOT NULL,
    checksum integer,
    installed_by character varying(100) NOT NULL,
    installed_on timestamp without time zone DEFAULT now() NOT NULL,
    execution_time integer NOT NULL,
    success boolean NOT NULL
);
