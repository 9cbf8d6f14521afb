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

-- Suspense suggestions look for policies owing exactly a line's amount: an
-- installment of it, or a single premium of it (was a scan of every version).
create index installment_amount_idx on installment (amount, policy_id);
create index policy_version_issue_premium_idx on policy_version (premium, policy_id) where kind = 'issue';

-- Suspense (挂账): what is placed on a line and whether a live disposal settled it,
-- kept on the line by triggers; the lines in suspense are a partial index (see the
-- PostgreSQL twin).
alter table bank_line add column placed integer not null default 0;
alter table bank_line add column disposed integer not null default 0;
update bank_line set
    placed = coalesce((select sum(p.amount) from payment p
                       where p.bank_line_id = bank_line.bank_line_id and p.reversed_at is null), 0),
    disposed = exists (select 1 from bank_line_disposal d
                       where d.bank_line_id = bank_line.bank_line_id and d.reversed_at is null);

create trigger payment_places_bank_line_insert after insert on payment
when new.bank_line_id is not null begin
    update bank_line set placed = coalesce((select sum(p.amount) from payment p
            where p.bank_line_id = bank_line.bank_line_id and p.reversed_at is null), 0)
    where bank_line_id = new.bank_line_id;
end;
create trigger payment_places_bank_line_update after update on payment begin
    update bank_line set placed = coalesce((select sum(p.amount) from payment p
            where p.bank_line_id = bank_line.bank_line_id and p.reversed_at is null), 0)
    where bank_line_id in (old.bank_line_id, new.bank_line_id);
end;
create trigger payment_places_bank_line_delete after delete on payment
when old.bank_line_id is not null begin
    update bank_line set placed = coalesce((select sum(p.amount) from payment p
            where p.bank_line_id = bank_line.bank_line_id and p.reversed_at is null), 0)
    where bank_line_id = old.bank_line_id;
end;
create trigger disposal_settles_bank_line_insert after insert on bank_line_disposal begin
    update bank_line set disposed = exists (select 1 from bank_line_disposal d
            where d.bank_line_id = bank_line.bank_line_id and d.reversed_at is null)
    where bank_line_id = new.bank_line_id;
end;
create trigger disposal_settles_bank_line_update after update on bank_line_disposal begin
    update bank_line set disposed = exists (select 1 from bank_line_disposal d
            where d.bank_line_id = bank_line.bank_line_id and d.reversed_at is null)
    where bank_line_id in (old.bank_line_id, new.bank_line_id);
end;
create trigger disposal_settles_bank_line_delete after delete on bank_line_disposal begin
    update bank_line set disposed = exists (select 1 from bank_line_disposal d
            where d.bank_line_id = bank_line.bank_line_id and d.reversed_at is null)
    where bank_line_id = old.bank_line_id;
end;

create index bank_line_suspense_idx on bank_line (value_date, bank_line_id)
    where not disposed and amount > placed;
