-- test/sql/extension_objects.sql: a complete, deterministic description of
-- the pg_drift extension's objects in the current database.
--
-- One line per fact, "<kind> <identity>: <attribute> = <value>", sorted
-- bytewise.  Nothing in it depends on OIDs, on the database, on the session's
-- search_path (every name is printed schema-qualified) or on who owns the
-- extension (ACL entries name the owner "<owner>").  Run it in two databases
-- and diff the outputs to see how two installs differ:
--
--   psql -XAtq -f test/sql/extension_objects.sql -d db_one > one.txt
--
-- test/t/004_upgrade.pl compares a 0.1.0 install updated with ALTER EXTENSION
-- UPDATE against a fresh install this way.  It covers every member of the
-- extension (pg_depend deptype 'e'), and for
--   functions and aggregates: signature with defaults, result, language,
--     source or C symbol, volatility, strictness, parallel safety, SECURITY
--     DEFINER, leakproofness, cost, rows, support function, SET options,
--     and for aggregates the whole pg_aggregate row by name;
--   types: I/O and binary I/O functions, length, by-value, alignment,
--     storage, category, attributes of composites, labels of enums,
--     domains' base type and constraints;
--   tables, views, sequences: columns (position, type, NOT NULL, default,
--     identity, generated, collation), constraints, indexes, triggers,
--     policies, rules, row-level security, view definitions, sequence
--     parameters and owning column;
--   casts, operators, operator classes and families, event triggers;
--   comments of every object, column and sub-object, ACLs (also column ACLs)
--   and the initial privileges pg_dump relies on (pg_init_privs);
--   the extension's configuration tables (what pg_dump keeps), and the rows
--   of its own tables (those pg_dump does not keep, like the metric
--   registry drift.metrics): their rows belong to the extension, not users.

SET search_path = pg_catalog, pg_temp;

-- The extension's own rows of one of its tables: all of them, or for a
-- configuration table with a filter, those the filter leaves to the
-- extension (pg_dump keeps the others as user data).  One JSON text per row.
CREATE FUNCTION pg_temp.extension_rows(rel regclass, dump_condition text)
  RETURNS SETOF text
  LANGUAGE plpgsql
AS $fn$
BEGIN
  IF dump_condition IS NULL THEN
    RETURN QUERY EXECUTE format('SELECT to_jsonb(t)::text FROM %s t', rel);
  ELSE
    RETURN QUERY EXECUTE format('SELECT to_jsonb(t)::text FROM %s t EXCEPT ALL '
                                'SELECT to_jsonb(u)::text FROM (SELECT * FROM %s %s) u',
                                rel, rel, dump_condition);
  END IF;
END
$fn$;

WITH
ext AS (
  SELECT e.oid, e.extname, e.extowner, e.extnamespace, e.extversion, e.extrelocatable,
         e.extconfig, e.extcondition
    FROM pg_extension e WHERE e.extname = 'pg_drift'
),
-- every member of the extension, with its owner and its ACL (the default
-- one written out where the catalog leaves it NULL, so that an explicit
-- grant of the default privileges compares equal to none)
member AS (
  SELECT d.classid, d.objid, o.type AS kind,
         -- functions by their signature as a call would write it (shorter
         -- than pg_identify_object's, which qualifies every argument type)
         CASE WHEN d.classid = 'pg_proc'::regclass THEN d.objid::regprocedure::text
              ELSE o.identity END AS identity,
         coalesce(p.proowner, c.relowner, t.typowner, n.nspowner, op.oprowner, ev.evtowner) AS owner,
         CASE d.classid
           WHEN 'pg_proc'::regclass THEN coalesce(p.proacl, acldefault('f', p.proowner))
           WHEN 'pg_class'::regclass
             THEN coalesce(c.relacl, acldefault((CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END)::"char",
                                                c.relowner))
           WHEN 'pg_type'::regclass THEN coalesce(t.typacl, acldefault('T', t.typowner))
           WHEN 'pg_namespace'::regclass THEN coalesce(n.nspacl, acldefault('n', n.nspowner))
         END AS acl
    FROM ext
    JOIN pg_depend d ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid
                    AND d.deptype = 'e'
    CROSS JOIN LATERAL pg_identify_object(d.classid, d.objid, d.objsubid) o
    LEFT JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
    LEFT JOIN pg_class c ON d.classid = 'pg_class'::regclass AND c.oid = d.objid
    LEFT JOIN pg_type t ON d.classid = 'pg_type'::regclass AND t.oid = d.objid
    LEFT JOIN pg_namespace n ON d.classid = 'pg_namespace'::regclass AND n.oid = d.objid
    LEFT JOIN pg_operator op ON d.classid = 'pg_operator'::regclass AND op.oid = d.objid
    LEFT JOIN pg_event_trigger ev ON d.classid = 'pg_event_trigger'::regclass AND ev.oid = d.objid
),
-- relations that carry columns: member tables, views and sequences, and the
-- row types behind member composite types (CREATE TYPE ... AS).  The row
-- type of a table or view is described with its relation only: PostgreSQL
-- 17 and later record it (and every array type) as a member of the
-- extension too, 15 does not, and the description must not repeat the
-- table's columns under "type" on one version and not on the other.
rel AS (
  SELECT m.kind, m.identity, c.oid, c.relkind
    FROM member m JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
  UNION ALL
  SELECT m.kind, m.identity, c.oid, c.relkind
    FROM member m JOIN pg_type t ON m.classid = 'pg_type'::regclass AND t.oid = m.objid
    JOIN pg_class c ON c.oid = t.typrelid AND c.relkind = 'c'
),
-- columns by name, numbered among the live ones (a column dropped by an
-- update leaves a hole in attnum that a fresh install does not have)
col AS (
  SELECT r.kind, r.identity, r.oid AS relid, a.attnum, a.attname, a.attacl,
         pg_catalog.row_number() OVER (PARTITION BY r.oid ORDER BY a.attnum) AS position,
         a.atttypid, a.atttypmod, a.attnotnull, a.atthasdef, a.attidentity, a.attgenerated,
         a.attcollation
    FROM rel r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
),
-- objects that hang off member relations and are not members themselves
sub AS (
  SELECT 'pg_constraint'::regclass AS classid, k.oid AS objid, r.kind, r.identity,
         'constraint ' || k.conname AS label, pg_get_constraintdef(k.oid) AS definition
    FROM rel r JOIN pg_constraint k ON k.conrelid = r.oid
  UNION ALL
  SELECT 'pg_constraint'::regclass, k.oid, m.kind, m.identity,
         'constraint ' || k.conname, pg_get_constraintdef(k.oid)
    FROM member m JOIN pg_constraint k ON m.classid = 'pg_type'::regclass AND k.contypid = m.objid
  UNION ALL
  SELECT 'pg_class'::regclass, i.indexrelid, r.kind, r.identity,
         'index ' || i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
    FROM rel r JOIN pg_index i ON i.indrelid = r.oid
  UNION ALL
  SELECT 'pg_trigger'::regclass, g.oid, r.kind, r.identity,
         'trigger ' || g.tgname,
         pg_get_triggerdef(g.oid) || CASE g.tgenabled WHEN 'O' THEN '' ELSE ' (enabled ' || g.tgenabled::text || ')' END
    FROM rel r JOIN pg_trigger g ON g.tgrelid = r.oid AND NOT g.tgisinternal
  UNION ALL
  SELECT 'pg_policy'::regclass, p.oid, r.kind, r.identity,
         'policy ' || p.polname,
         format('%s FOR %s TO %s USING (%s) WITH CHECK (%s)',
                CASE WHEN p.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,
                CASE p.polcmd WHEN '*' THEN 'ALL' WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT'
                              WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' END,
                (SELECT string_agg(q.role, ', ' ORDER BY q.role)
                   FROM (SELECT CASE WHEN x.role = 0 THEN 'PUBLIC'
                                     ELSE quote_ident(pg_get_userbyid(x.role)) END
                           FROM unnest(p.polroles) x(role)) q(role)),
                pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid))
    FROM rel r JOIN pg_policy p ON p.polrelid = r.oid
  UNION ALL
  SELECT 'pg_rewrite'::regclass, w.oid, r.kind, r.identity,
         'rule ' || w.rulename, pg_get_ruledef(w.oid)
    FROM rel r JOIN pg_rewrite w ON w.ev_class = r.oid AND w.rulename <> '_RETURN'
),
-- the roles in an ACL, by name, with the object's owner as "<owner>"
acl_source AS (
  SELECT m.kind, m.identity, 'acl' AS attribute, m.acl, m.owner
    FROM member m WHERE m.acl IS NOT NULL
  UNION ALL
  SELECT c.kind, c.identity, 'acl of column ' || quote_ident(c.attname), c.attacl, m.owner
    FROM col c JOIN member m ON m.classid = 'pg_class'::regclass AND m.objid = c.relid
   WHERE c.attacl IS NOT NULL
  UNION ALL
  SELECT m.kind, m.identity,
         'initial acl' || CASE WHEN i.objsubid <> 0
                               THEN ' of column ' || quote_ident(coalesce(
                                 (SELECT a.attname FROM pg_attribute a
                                   WHERE a.attrelid = i.objoid AND a.attnum = i.objsubid), '?'))
                               ELSE '' END || ' (' || i.privtype::text || ')',
         i.initprivs, m.owner
    FROM member m JOIN pg_init_privs i ON i.classoid = m.classid AND i.objoid = m.objid
),
acl_fact AS (
  SELECT a.kind, a.identity,
         a.attribute || ' ' || CASE WHEN x.grantee = 0 THEN 'PUBLIC'
                                    WHEN x.grantee = a.owner THEN '<owner>'
                                    ELSE pg_get_userbyid(x.grantee)::text END AS attribute,
         string_agg(x.privilege_type || CASE WHEN x.is_grantable THEN '*' ELSE '' END, ', '
                    ORDER BY x.privilege_type)
           || ' granted by ' || CASE WHEN x.grantor = a.owner THEN '<owner>'
                                     ELSE pg_get_userbyid(x.grantor)::text END AS value
    FROM acl_source a CROSS JOIN LATERAL aclexplode(a.acl) x
   GROUP BY a.kind, a.identity, a.attribute, x.grantee, x.grantor, a.owner
),
-- multi-line text (function bodies, view definitions), one line per fact
body(kind, identity, attribute, text) AS (
  SELECT m.kind, m.identity, 'source', p.prosrc
    FROM member m JOIN pg_proc p ON m.classid = 'pg_proc'::regclass AND p.oid = m.objid
  UNION ALL
  SELECT r.kind, r.identity, 'view definition', pg_get_viewdef(r.oid, true)
    FROM rel r WHERE r.relkind IN ('v', 'm')
),
fact(kind, identity, attribute, value) AS (
  -- the extension itself, and what pg_dump keeps of its tables
  SELECT 'extension', quote_ident(e.extname), 'version', e.extversion FROM ext e
  UNION ALL
  SELECT 'extension', quote_ident(e.extname), 'schema', e.extnamespace::regnamespace::text FROM ext e
  UNION ALL
  SELECT 'extension', quote_ident(e.extname), 'relocatable', e.extrelocatable::text FROM ext e
  UNION ALL
  SELECT 'extension', quote_ident(e.extname), 'dumped by pg_dump ' || x.rel::regclass::text,
         CASE WHEN x.cond = '' THEN 'all rows' ELSE x.cond END
    FROM ext e CROSS JOIN LATERAL unnest(e.extconfig, e.extcondition) x(rel, cond)
  UNION ALL
  -- membership and ownership
  SELECT m.kind, m.identity, 'member', pg_describe_object(m.classid, m.objid, 0) FROM member m
  UNION ALL
  SELECT m.kind, m.identity, 'owner',
         CASE WHEN m.owner = e.extowner THEN 'the extension''s owner' ELSE pg_get_userbyid(m.owner)::text END
    FROM member m, ext e WHERE m.owner IS NOT NULL
  UNION ALL
  -- functions, procedures and aggregates
  SELECT m.kind, m.identity, v.attribute, v.value
    FROM member m
    JOIN pg_proc p ON m.classid = 'pg_proc'::regclass AND p.oid = m.objid
    JOIN pg_language l ON l.oid = p.prolang
    CROSS JOIN LATERAL (VALUES
      ('prokind', p.prokind::text),
      ('arguments', pg_get_function_arguments(p.oid)),
      ('result', pg_get_function_result(p.oid)),
      ('language', l.lanname::text),
      ('probin', p.probin),
      ('volatility', p.provolatile::text),
      ('strict', p.proisstrict::text),
      ('parallel', p.proparallel::text),
      ('security definer', p.prosecdef::text),
      ('leakproof', p.proleakproof::text),
      ('cost', p.procost::text),
      ('rows', p.prorows::text),
      ('support', p.prosupport::regprocedure::text),
      ('config', array_to_string(p.proconfig, ' | '))
    ) v(attribute, value)
  UNION ALL
  SELECT m.kind, m.identity, v.attribute, v.value
    FROM member m
    JOIN pg_aggregate a ON m.classid = 'pg_proc'::regclass AND a.aggfnoid = m.objid
    CROSS JOIN LATERAL (VALUES
      ('aggkind', a.aggkind::text),
      ('aggnumdirectargs', a.aggnumdirectargs::text),
      ('aggtransfn', a.aggtransfn::regprocedure::text),
      ('aggfinalfn', a.aggfinalfn::regprocedure::text),
      ('aggcombinefn', a.aggcombinefn::regprocedure::text),
      ('aggserialfn', a.aggserialfn::regprocedure::text),
      ('aggdeserialfn', a.aggdeserialfn::regprocedure::text),
      ('aggmtransfn', a.aggmtransfn::regprocedure::text),
      ('aggminvtransfn', a.aggminvtransfn::regprocedure::text),
      ('aggmfinalfn', a.aggmfinalfn::regprocedure::text),
      ('aggfinalextra', a.aggfinalextra::text),
      ('aggmfinalextra', a.aggmfinalextra::text),
      ('aggfinalmodify', a.aggfinalmodify::text),
      ('aggmfinalmodify', a.aggmfinalmodify::text),
      ('aggsortop', a.aggsortop::regoperator::text),
      ('aggtranstype', a.aggtranstype::regtype::text),
      ('aggtransspace', a.aggtransspace::text),
      ('aggmtranstype', a.aggmtranstype::regtype::text),
      ('aggmtransspace', a.aggmtransspace::text),
      ('agginitval', a.agginitval),
      ('aggminitval', a.aggminitval)
    ) v(attribute, value)
  UNION ALL
  SELECT b.kind, b.identity, b.attribute || ' line ' || lpad(x.n::text, 4, '0'), x.line
    FROM body b CROSS JOIN LATERAL regexp_split_to_table(b.text, E'\n') WITH ORDINALITY x(line, n)
  UNION ALL
  -- types
  SELECT m.kind, m.identity, v.attribute, v.value
    FROM member m
    JOIN pg_type t ON m.classid = 'pg_type'::regclass AND t.oid = m.objid
    CROSS JOIN LATERAL (VALUES
      ('typtype', t.typtype::text),
      ('typlen', t.typlen::text),
      ('typbyval', t.typbyval::text),
      ('typalign', t.typalign::text),
      ('typstorage', t.typstorage::text),
      ('typcategory', t.typcategory::text),
      ('typispreferred', t.typispreferred::text),
      ('typdelim', t.typdelim::text),
      ('typinput', t.typinput::regprocedure::text),
      ('typoutput', t.typoutput::regprocedure::text),
      ('typreceive', t.typreceive::regprocedure::text),
      ('typsend', t.typsend::regprocedure::text),
      ('typmodin', t.typmodin::regprocedure::text),
      ('typmodout', t.typmodout::regprocedure::text),
      ('typanalyze', t.typanalyze::regprocedure::text),
      ('typsubscript', t.typsubscript::regprocedure::text),
      ('typelem', t.typelem::regtype::text),
      ('typarray', t.typarray::regtype::text),
      ('typbasetype', t.typbasetype::regtype::text),
      ('typtypmod', t.typtypmod::text),
      ('typndims', t.typndims::text),
      ('typnotnull', t.typnotnull::text),
      ('typdefault', t.typdefault),
      ('typcollation', t.typcollation::regcollation::text)
    ) v(attribute, value)
  UNION ALL
  SELECT m.kind, m.identity,
         'enum label ' || lpad((row_number() OVER (PARTITION BY e.enumtypid
                                                   ORDER BY e.enumsortorder))::text, 4, '0'),
         e.enumlabel::text
    FROM member m JOIN pg_enum e ON m.classid = 'pg_type'::regclass AND e.enumtypid = m.objid
  UNION ALL
  -- relations (and composite types' row types)
  SELECT r.kind, r.identity, v.attribute, v.value
    FROM rel r JOIN pg_class c ON c.oid = r.oid AND c.relkind <> 'c'
    CROSS JOIN LATERAL (VALUES
      ('relkind', c.relkind::text),
      ('persistence', c.relpersistence::text),
      ('row level security', c.relrowsecurity::text),
      ('force row level security', c.relforcerowsecurity::text),
      ('replica identity', c.relreplident::text),
      ('options', array_to_string(c.reloptions, ', '))
    ) v(attribute, value)
  UNION ALL
  SELECT c.kind, c.identity, 'column ' || quote_ident(c.attname),
         concat_ws(' ', 'position ' || c.position, format_type(c.atttypid, c.atttypmod),
                   CASE WHEN c.attnotnull THEN 'NOT NULL' END,
                   CASE WHEN c.atthasdef THEN 'DEFAULT ' || (
                     SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d
                      WHERE d.adrelid = c.relid AND d.adnum = c.attnum) END,
                   CASE c.attidentity WHEN 'a' THEN 'GENERATED ALWAYS AS IDENTITY'
                                      WHEN 'd' THEN 'GENERATED BY DEFAULT AS IDENTITY' END,
                   CASE WHEN c.attgenerated = 's' THEN 'GENERATED ALWAYS (STORED)' END,
                   CASE WHEN c.attcollation <> 0 AND c.attcollation <> (
                          SELECT t.typcollation FROM pg_type t WHERE t.oid = c.atttypid)
                        THEN 'COLLATE ' || c.attcollation::regcollation::text END)
    FROM col c
  UNION ALL
  SELECT s.kind, s.identity, s.label, s.definition FROM sub s
  UNION ALL
  SELECT r.kind, r.identity, v.attribute, v.value
    FROM rel r JOIN pg_sequence q ON q.seqrelid = r.oid
    CROSS JOIN LATERAL (VALUES
      ('sequence type', q.seqtypid::regtype::text),
      ('sequence start', q.seqstart::text),
      ('sequence increment', q.seqincrement::text),
      ('sequence min', q.seqmin::text),
      ('sequence max', q.seqmax::text),
      ('sequence cache', q.seqcache::text),
      ('sequence cycle', q.seqcycle::text),
      ('sequence owned by', (
        SELECT d.refobjid::regclass::text || '.' || quote_ident(a.attname)
          FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
         WHERE d.classid = 'pg_class'::regclass AND d.objid = r.oid
           AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')))
    ) v(attribute, value)
  UNION ALL
  -- casts, operators, event triggers
  SELECT m.kind, m.identity, 'cast',
         format('%s, via %s', CASE k.castcontext WHEN 'e' THEN 'explicit' WHEN 'a' THEN 'assignment'
                                                 ELSE 'implicit' END,
                CASE k.castmethod WHEN 'f' THEN k.castfunc::regprocedure::text
                                  WHEN 'i' THEN 'I/O' ELSE 'binary coercion' END)
    FROM member m JOIN pg_cast k ON m.classid = 'pg_cast'::regclass AND k.oid = m.objid
  UNION ALL
  SELECT m.kind, m.identity, 'operator',
         format('function %s, commutator %s, negator %s, restrict %s, join %s, merges %s, hashes %s',
                o.oprcode::regprocedure, o.oprcom::regoperator, o.oprnegate::regoperator,
                o.oprrest::regprocedure, o.oprjoin::regprocedure, o.oprcanmerge, o.oprcanhash)
    FROM member m JOIN pg_operator o ON m.classid = 'pg_operator'::regclass AND o.oid = m.objid
  UNION ALL
  SELECT m.kind, m.identity, 'event trigger',
         format('ON %s WHEN TAG IN (%s) EXECUTE %s (enabled %s)', v.evtevent,
                array_to_string(v.evttags, ', '), v.evtfoid::regprocedure, v.evtenabled)
    FROM member m JOIN pg_event_trigger v ON m.classid = 'pg_event_trigger'::regclass AND v.oid = m.objid
  UNION ALL
  SELECT m.kind, m.identity, 'operator class',
         format('for type %s, default %s, storage %s', o.opcintype::regtype, o.opcdefault,
                o.opckeytype::regtype)
    FROM member m JOIN pg_opclass o ON m.classid = 'pg_opclass'::regclass AND o.oid = m.objid
  UNION ALL
  -- an operator family's operators and support functions (they belong to
  -- the family, not to the extension directly)
  SELECT m.kind, m.identity, 'family member', pg_describe_object('pg_amop'::regclass, a.oid, 0)
    FROM member m JOIN pg_amop a ON m.classid = 'pg_opfamily'::regclass AND a.amopfamily = m.objid
  UNION ALL
  SELECT m.kind, m.identity, 'family member', pg_describe_object('pg_amproc'::regclass, a.oid, 0)
    FROM member m JOIN pg_amproc a ON m.classid = 'pg_opfamily'::regclass AND a.amprocfamily = m.objid
  UNION ALL
  -- comments: of members, of their sub-objects, of columns
  SELECT m.kind, m.identity, 'comment', d.description
    FROM member m JOIN pg_description d ON d.classoid = m.classid AND d.objoid = m.objid
                                       AND d.objsubid = 0
  UNION ALL
  SELECT s.kind, s.identity, 'comment on ' || s.label, d.description
    FROM sub s JOIN pg_description d ON d.classoid = s.classid AND d.objoid = s.objid
                                    AND d.objsubid = 0
  UNION ALL
  SELECT c.kind, c.identity, 'comment on column ' || quote_ident(c.attname), d.description
    FROM col c JOIN pg_description d ON d.classoid = 'pg_class'::regclass AND d.objoid = c.relid
                                    AND d.objsubid = c.attnum
  UNION ALL
  SELECT a.kind, a.identity, a.attribute, a.value FROM acl_fact a
  UNION ALL
  -- the rows of the extension's own tables (pg_dump leaves them to the
  -- extension script, so an update must bring them to what a fresh install has)
  SELECT r.kind, r.identity, 'row', x.row
    FROM rel r
    JOIN member m ON m.classid = 'pg_class'::regclass AND m.objid = r.oid
    CROSS JOIN ext e
    LEFT JOIN LATERAL unnest(e.extconfig, e.extcondition) k(rel, cond) ON k.rel = r.oid
    CROSS JOIN LATERAL pg_temp.extension_rows(r.oid::regclass, k.cond) x(row)
   WHERE r.relkind IN ('r', 'p') AND (k.rel IS NULL OR k.cond <> '')
)
SELECT l.line
  FROM fact f
  CROSS JOIN LATERAL format('%s %s: %s = %s', f.kind, f.identity, f.attribute,
                            coalesce(replace(f.value, E'\n', '\n'), '(null)')) l(line)
 ORDER BY l.line COLLATE "C";

DROP FUNCTION pg_temp.extension_rows(regclass, text);
