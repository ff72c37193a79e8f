-- Deliveries are claimed in a short transaction and handed to the gateway outside it;
-- a claim older than a few minutes (a server that died mid-delivery) is taken again.
ALTER TABLE outbox ADD COLUMN claimed_at BIGINT;
