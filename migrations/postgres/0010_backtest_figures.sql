-- The figures of each stored report (groups, ratios, indication, triangles) as JSON, so
-- the API answers what the report said rather than re-running it on today's data.
-- Reports stored before this column have none; their documents are still served.
alter table backtest_report add column figures_json text;
