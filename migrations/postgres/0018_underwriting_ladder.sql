-- PostgreSQL twin of migrations/sqlite/0018_underwriting_ladder.sql (keep them equivalent).
-- Issue 15 item 6, issue 16 item 5: the authority ladder and the quote's validity.

-- The level of the authority ladder (a role code, e.g. 'branch_head') a referral waits
-- for; nobody below it decides. Older referrals have none: their level is worked out
-- from the policy when they are decided.
alter table referral add column level text;

-- The business date (Beijing) a quote was last priced; its validity runs from here.
-- Older quotes have none and count from the day they were created.
alter table policy add column quoted_on date;
