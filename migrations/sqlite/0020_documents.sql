-- SQLite twin of migrations/postgres/0020_documents.sql (keep them equivalent).
-- Documents issued on a policy besides the full-premium certificate, stamped, signed and
-- verifiable like it: the endorsement document (批单) of each endorsement or cancellation,
-- and the insurance certificate (保险凭证) the maker hands the user unit.
create table issued_document (
    document_id        integer primary key,
    -- endorsement (批单) or insurance_certificate (保险凭证)
    kind               text not null check (kind in ('endorsement', 'insurance_certificate')),
    document_number    text not null unique,
    policy_id          integer not null references policy (policy_id),
    -- The policy version the document states (policy_version.seq).
    version_seq        integer not null,
    -- ≥ 128 random bits, base32; printed on the document and in its QR code.
    verification_code  text not null unique,
    status             text not null check (status in ('valid', 'revoked')),
    policy_number      text not null,
    -- The policyholder on a 批单, the user unit (beneficiary) on a 保险凭证.
    party_name         text not null,
    -- Fen: additional (+) or return (−) premium on a 批单; the aggregate limit on a 保险凭证.
    amount             integer not null,
    content_json       text not null,
    pdf                blob not null,
    sha256_hex         text not null,
    signature_b64      text not null,
    public_key_b64     text not null,
    issued_by          integer not null references app_user (user_id),
    issued_at          text not null,
    revoked_at         text,
    revoked_reason     text not null default '',
    check ((status = 'revoked') = (revoked_at is not null))
);
-- One 批单 per policy version; at most one valid 保险凭证 per policy.
create unique index issued_document_one_per_version on issued_document (policy_id, version_seq)
    where kind = 'endorsement';
create unique index issued_document_one_valid on issued_document (policy_id)
    where kind = 'insurance_certificate' and status = 'valid';
create index issued_document_policy_idx on issued_document (policy_id, kind);
