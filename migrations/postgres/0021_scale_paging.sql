-- Keyset paging of the lists that still paged by OFFSET (issue 18): parties,
-- catalogue, outbox, referrals. Twin of migrations/sqlite/0021_scale_paging.sql.
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

-- Suspense (挂账) read every bank line the bank ever sent, with two subqueries each, to
-- find the few not placed yet. What is placed on a line (live payments from it) and
-- whether a live disposal settled it are now kept on the line by triggers, and the
-- lines in suspense are a partial index.
alter table bank_line add column placed bigint not null default 0;
alter table bank_line add column disposed boolean not null default false;
update bank_line l set
    placed = coalesce((select sum(p.amount) from payment p
                       where p.bank_line_id = l.bank_line_id and p.reversed_at is null), 0),
    disposed = exists (select 1 from bank_line_disposal d
                       where d.bank_line_id = l.bank_line_id and d.reversed_at is null);

create function bank_line_placed_sync() returns trigger language plpgsql as $$
begin
    update bank_line l set placed = coalesce((select sum(p.amount) from payment p
            where p.bank_line_id = l.bank_line_id and p.reversed_at is null), 0)
    where l.bank_line_id in (
        case when tg_op <> 'INSERT' then old.bank_line_id end,
        case when tg_op <> 'DELETE' then new.bank_line_id end);
    return null;
end $$;
create trigger payment_places_bank_line after insert or update or delete on payment
    for each row execute function bank_line_placed_sync();

create function bank_line_disposed_sync() returns trigger language plpgsql as $$
begin
    update bank_line l set disposed = exists (select 1 from bank_line_disposal d
            where d.bank_line_id = l.bank_line_id and d.reversed_at is null)
    where l.bank_line_id in (
        case when tg_op <> 'INSERT' then old.bank_line_id end,
        case when tg_op <> 'DELETE' then new.bank_line_id end);
    return null;
end $$;
create trigger disposal_settles_bank_line after insert or update or delete on bank_line_disposal
    for each row execute function bank_line_disposed_sync();

create index bank_line_suspense_idx on bank_line (value_date, bank_line_id)
    where not disposed and amount > placed;
