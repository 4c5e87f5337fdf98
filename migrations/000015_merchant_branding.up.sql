-- Merchant branding: the colour of the payment page's buttons and accent,
-- and the support contact shown when a payment fails. Empty means none.
ALTER TABLE merchants ADD COLUMN brand_color text NOT NULL DEFAULT ''
    CHECK (brand_color = '' OR brand_color ~ '^#[0-9a-f]{6}$');
ALTER TABLE merchants ADD COLUMN support_email text NOT NULL DEFAULT '';
ALTER TABLE merchants ADD COLUMN support_phone text NOT NULL DEFAULT '';
COMMENT ON COLUMN merchants.brand_color IS 'Lower-case #rrggbb of the payment page''s buttons and accent, on which white text has WCAG contrast of at least 4.5:1; empty: paypage''s own colour.';
COMMENT ON COLUMN merchants.support_email IS 'Support email address shown to shoppers on failure states; empty: none.';
COMMENT ON COLUMN merchants.support_phone IS 'Support phone number as shown to shoppers on failure states (digits, optional leading +, spaces or hyphens); empty: none.';

-- A merchant's logo, served from paypage's own origin at a URL carrying its
-- fingerprint, so that browsers may cache it for good.
CREATE TABLE merchant_logos (
    merchant_id  text PRIMARY KEY REFERENCES merchants (id) ON DELETE CASCADE,
    sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    content_type text NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg', 'image/webp')),
    width        integer NOT NULL CHECK (width BETWEEN 1 AND 1024),
    height       integer NOT NULL CHECK (height BETWEEN 1 AND 1024),
    data         bytea NOT NULL CHECK (octet_length(data) BETWEEN 1 AND 65536),
    uploaded_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE merchant_logos IS 'Each merchant''s logo image, at most one, checked by content when uploaded through paypage merchant create/update --logo.';
COMMENT ON COLUMN merchant_logos.sha256 IS 'Hex SHA-256 of data: the fingerprint in the logo''s URL, which changes with the image.';
COMMENT ON COLUMN merchant_logos.width IS 'Width in pixels, for the img element''s width attribute (no layout shift).';
COMMENT ON COLUMN merchant_logos.data IS 'The image bytes as uploaded, at most 64 KB.';
