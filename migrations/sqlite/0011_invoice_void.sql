-- An invoice recorded in error (wrong amount, wrong payer) is voided (作废), never deleted:
-- it keeps its number and shows as void, and it no longer counts as invoiced.
alter table invoice add column voided_at text;
alter table invoice add column voided_by integer references app_user (user_id);
alter table invoice add column void_reason text;
