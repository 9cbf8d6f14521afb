-- SQLite twin of migrations/postgres/0007_certificates.sql (keep them equivalent).
-- Full-premium collection certificates (全额保费收取证明) and the key that signs them.

-- The Ed25519 key certificates are signed with when none is configured: generated on
-- first start and kept here so a fresh machine works and signatures stay verifiable
-- across restarts. A configured key (file or base64 seed) takes precedence.
create table signing_key (
    purpose    text primary key,
    seed_b64   text not null,
    public_b64 text not null,
    created_at text not null
);

create table certificate (
    certificate_id     integer primary key,
    certificate_number text not null unique,
    policy_id          integer not null references policy (policy_id),
    -- ≥ 128 random bits, base32; printed on the certificate and in its QR code.
    verification_code  text not null unique,
    status             text not null check (status in ('valid', 'revoked')),
    policy_number      text not null,
    policyholder_name  text not null,
    total_premium      integer not null check (total_premium >= 0),
    -- Everything the certificate states (JSON), and the bytes as issued.
    content_json       text not null,
    pdf                blob not null,
    sha256_hex         text not null,
    -- Ed25519 over documents::canonical_content, base64; and the public key it verifies with.
    signature_b64      text not null,
    public_key_b64     text not null,
    issued_by          integer not null references app_user (user_id),
    issued_at          text not null,
    revoked_at         text,
    revoked_reason     text not null default '',
    check ((status = 'revoked') = (revoked_at is not null))
);
-- At most one valid certificate per policy: asking again returns it.
create unique index certificate_one_valid on certificate (policy_id) where status = 'valid';
create index certificate_policy_idx on certificate (policy_id);
