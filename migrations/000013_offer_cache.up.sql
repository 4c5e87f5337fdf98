-- The providers' answers about how each method can pay an order, kept with
-- the order so that its page and Pay, on any instance, use an answer fetched
-- when the session was created (or on an earlier page load) instead of
-- asking again while it is fresh. The application decides freshness; rows
-- are only ever replaced by newer answers.
CREATE TABLE order_offers (
    order_id    text NOT NULL REFERENCES orders (id),
    method      text NOT NULL,
    offer       jsonb NOT NULL CHECK (jsonb_typeof(offer) = 'object'),
    linked      boolean NOT NULL,
    link_key    text NOT NULL DEFAULT '',
    answered_at timestamptz NOT NULL,
    PRIMARY KEY (order_id, method),
    CHECK (linked = (link_key <> ''))
);

COMMENT ON TABLE order_offers IS 'A provider''s latest answer (an offer: listed, payable, figure, wording) per order and payment method. linked says it was made with the customer''s link, and link_key names that link''s stored state, so an answer made before a link was stored, renewed or refused is not used. Never holds tokens.';
