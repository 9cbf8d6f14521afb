-- Keyset paging of the lists that still paged by OFFSET (issue 18): parties,
-- catalogue, outbox, referrals. SQLite twin of migrations/postgres/0021_scale_paging.sql.
-- Each list order and filter column leads an index that ends with the row's id, so
-- "the next 50 after (value, id)" is one index range wherever the page is.

create index party_kind_seek_idx on party (kind, party_id);
create index party_name_seek_idx on party (name, party_id);
drop index party_name_idx;

create index catalogue_maker_seek_idx on catalogue_item (maker_id, catalogue_item_id);
create index catalogue_product_seek_idx on catalogue_item (product_name, catalogue_item_id);
create index catalogue_until_seek_idx on catalogue_item (valid_until, catalogue_item_id);
drop index catalogue_maker_idx;

create index outbox_kind_seek_idx on outbox (kind, outbox_id);

-- The referral queue: open referrals, oldest first (the partial index holds only
-- what is waiting, however many were decided).
create index referral_queue_idx on referral (referral_id) where decision is null;

-- Receivables read a page of issued policies by id and their versions, plans,
-- payments and refunds by policy.
create index policy_issued_seek_idx on policy (policy_id) where policy_number is not null;
