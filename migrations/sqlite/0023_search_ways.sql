-- Search reads a page of each way to the policies (issue 18): the policies of a
-- matching product are one range of this index in page order, as a maker's are of
-- policy_maker_seek_idx. Twin of migrations/postgres/0023_search_ways.sql (SQLite's
-- index already ended with the rowid; the name now says so on both stores).
create index policy_catalogue_seek_idx on policy (catalogue_item_id, policy_id);
drop index policy_catalogue_idx;
