-- pg_drift update from 0.1.0 to 0.2.0.
--
-- Every SQL change of 0.2.0 goes here as well as into src/sql/*.sql (the
-- fresh install script): ALTER EXTENSION pg_drift UPDATE runs this file on a
-- 0.1.0 install (src/sql/releases/pg_drift--0.1.0.sql), and test/t/004_upgrade.pl
-- checks that the result equals a fresh 0.2.0 install object for object
-- (test/sql/extension_objects.sql) and that no baseline, monitor, result or
-- alert is lost.  No statement yet: 0.2.0 has no SQL change so far.
--
-- What keeps the two equal: a changed function body by CREATE OR REPLACE (DROP
-- and CREATE, with its COMMENT and GRANT/REVOKE again, when the signature or
-- result type changes); ALTER TABLE ... ADD COLUMN appends, so the fresh script
-- declares new columns last too; rows of drift.metrics are the extension's, so
-- a new or changed metric is an INSERT or UPDATE here.

\echo Use "ALTER EXTENSION pg_drift UPDATE TO '0.2.0'" to load this file. \quit
