-- Single-column policy indexes whose column leads a (column, policy_id) index added for
-- paging (0016, 0023): every query they served the wider index serves as well, and each one
-- costs an index entry on every policy write that is not HOT — issuing writes the number
-- and the state, so all of them, inside the section every issuer shares (the policy-number
-- counter row is locked until commit). Dropped.
drop index if exists policy_maker_idx;
drop index if exists policy_user_idx;
drop index if exists policy_state_idx;
drop index if exists policy_period_idx;
drop index if exists policy_period_end_idx;
drop index if exists policy_catalogue_idx;
