-- An endorsement that needs a senior underwriter waits in the same referral queue as
-- quotes do; the requested change is kept here until it is approved and applied.
alter table referral add column endorsement_json text;
