#!/usr/bin/env bash
# test/upgrade.sh - ALTER EXTENSION scim UPDATE from every released version (TAP)
#
# Every released version X has its install script frozen in
# upgrade/scim--X.sql, and each release adds an upgrade script
# upgrade/scim--A--B.sql (docs/operations.md, "Upgrades").  For every frozen
# X this test, on the test stack (the PG* variables scripts/test.sh
# exports, a superuser as PGUSER):
#
#   - in a database of its own: CREATE EXTENSION scim VERSION 'X', tenants,
#     tokens, a custom schema extension, users with emails and a password,
#     groups with members, a deactivation and their events, written through
#     X's SQL API, plus 2000 users written straight into the table; it
#     saves what the SQL API reads, every row of every table and the keys
#     scim._email_keys gives (before 0.2.0 not yet led by the tenant: the
#     tenant's prefix is added); then ALTER EXTENSION scim UPDATE;
#   - checks that the extension is at the default version, that every row
#     and every SQL API read is unchanged, that scim._email_keys gives the
#     same keys, that the GIN index users_email_keys agrees with the
#     function and serves "emails.value eq" under row-level security, that a token issued under X authenticates a request, and
#     that writes, filters and the change feed carry on;
#   - compares a canonical description of every object of the extension
#     (definitions, columns, constraints, indexes, policies, triggers,
#     owners, privileges, comments, row-level security, configuration
#     tables) with the one of a fresh CREATE EXTENSION scim in another
#     database: they must be identical, which is what proves the upgrade
#     scripts complete.  A difference is printed as a diff.
#
# It also checks that the installed scripts are this tree's (make install)
# and that upgrade/scim--X.sql is frozen: still the install script of the
# tag vX, or without the tag, still the file the commit that added it
# recorded.  Every database it makes is named
# scim_upgrade_<pid>_*, and dropped at the end.
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd -P) || exit 1
P=scim_upgrade_$$

if [ -z "${PGDATABASE:-}${PGHOST:-}" ]; then
	echo "1..1"
	echo "not ok 1 - the PG* variables of a test stack are set (run through scripts/test.sh)"
	exit 1
fi

work=$(mktemp -d)
DBS=()
psql_db() {	# psql_db DB [ARGS...]: psql in DB, quiet, unaligned, stop at the first error
	local db=$1
	shift
	PGOPTIONS="-c client_min_messages=warning" psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"
}
cleanup() {
	local db
	for db in "${DBS[@]}"; do
		psql_db postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1
	done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- TAP ------------------------------------------------------------------------------------

n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {	# not_ok NAME DETAILS
	n=$((n + 1))
	fails=$((fails + 1))
	echo "not ok $n - $1"
	printf '%s\n' "$2" | head -n 200 | sed 's/^/#   /'
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

# check NAME DB [PSQL-ARGS...]: run the SQL on stdin in DB.  ok when it
# succeeds and prints nothing: the SQL of a check prints only what is wrong.
check() {
	local name=$1 db=$2 out rc
	shift 2
	out=$(psql_db "$db" "$@" 2>&1)
	rc=$?
	if [ $rc -ne 0 ]; then
		not_ok "$name" "psql exited with status $rc"$'\n'"$out"
	elif [ -n "$out" ]; then
		not_ok "$name" "$out"
	else
		ok "$name"
	fi
	[ $rc -eq 0 ] && [ -z "$out" ]
}

# new_db DB: create a database of this run (dropped at the end); its errors
# in $work/err
new_db() {
	DBS+=("$1")
	psql_db postgres -c "CREATE DATABASE \"$1\"" >"$work/err" 2>&1
}

# --- the versions -----------------------------------------------------------------------------

DEFAULT=$(sed -n "s/^default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" "$REPO/scim.control")
RELEASES=()
for f in "$REPO"/upgrade/scim--*.sql; do
	[ -f "$f" ] || continue
	v=${f##*/scim--}
	v=${v%.sql}
	case $v in *--*) continue ;; esac
	[ "$v" = "$DEFAULT" ] && continue
	RELEASES+=("$v")
done

# --- the installed extension is this tree's -----------------------------------------------------

name="the installed extension is this tree's (default_version $DEFAULT, every script of upgrade/, src/sql: make install)"
if ! sharedir=$(psql_db postgres -c "SELECT setting FROM pg_config WHERE name = 'SHAREDIR'" 2>&1); then
	not_ok "$name" "$sharedir"
elif [ ! -r "$sharedir/extension/scim.control" ]; then
	skip "$name" "the server's $sharedir is not readable here"
else
	why=
	ext=$sharedir/extension
	got=$(sed -n "s/^default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" "$ext/scim.control")
	[ "$got" = "$DEFAULT" ] || why+="installed default_version is '$got'"$'\n'
	for f in "$REPO"/upgrade/scim--*.sql; do
		[ -f "$f" ] || continue
		[ "${f##*/}" = "scim--$DEFAULT.sql" ] && continue
		cmp -s "$f" "$ext/${f##*/}" || why+="$ext/${f##*/} is not upgrade/${f##*/}"$'\n'
	done
	(export LC_ALL=C; cat "$REPO"/src/sql/*.sql) >"$work/built.sql"	# in name order, as make does
	cmp -s "$work/built.sql" "$ext/scim--$DEFAULT.sql" || why+="$ext/scim--$DEFAULT.sql is not src/sql/*.sql"$'\n'
	if [ -z "$why" ]; then ok "$name"; else not_ok "$name" "${why}run make install"; fi
fi

if [ ${#RELEASES[@]} -eq 0 ]; then
	not_ok "there is a released version to upgrade from (upgrade/scim--X.sql)" "none in $REPO/upgrade"
fi

# upgrade/scim--X.sql is frozen: the install script of the tag vX when the
# tag is here, else (a clone without tags) the file as the commit that added
# it to the repository recorded it; never edited since
for v in "${RELEASES[@]}"; do
	f=upgrade/scim--$v.sql
	if ! command -v git >/dev/null 2>&1 || ! git -C "$REPO" rev-parse -q --verify HEAD >/dev/null 2>&1; then
		skip "$f is frozen" "no git repository here"
		continue
	fi
	: >"$work/frozen.sql"
	if git -C "$REPO" rev-parse -q --verify "refs/tags/v$v" >/dev/null 2>&1; then
		name="$f is the install script of the tag v$v, unchanged"
		for part in $(git -C "$REPO" ls-tree --name-only "v$v" src/sql/ | LC_ALL=C sort); do
			case $part in *.sql) git -C "$REPO" show "v$v:$part" >>"$work/frozen.sql" ;; esac
		done
	else
		added=$(git -C "$REPO" log --format=%H --diff-filter=A -- "$f" | tail -n 1)
		name="$f is unchanged since commit ${added:0:12} added it (no tag v$v here)"
		if [ -z "$added" ]; then
			not_ok "$f is in the repository's history" "git log finds no commit adding $f"
			continue
		fi
		git -C "$REPO" show "$added:$f" >"$work/frozen.sql"
	fi
	if cmp -s "$work/frozen.sql" "$REPO/$f"; then
		ok "$name"
	else
		not_ok "$name" "$(diff -u "$work/frozen.sql" "$REPO/$f" | head -n 40)"
	fi
done

# --- the canonical description of the extension's objects -----------------------------------

# One block of text per object (or part of one), sorted; the names of
# objects, never their oids.  The objects: every member of the extension,
# and everything in its schemas (scim, and the schemas it made: scim_api);
# tables come with their columns, constraints, indexes, policies, triggers,
# rules and statistics.  Privileges are listed one grant per item, sorted, a
# NULL ACL as the default it stands for.  Left out: the column option
# pg_attver, which the server stamps on columns with a value of its own.
cat >"$work/describe.sql" <<'SQL'
CREATE FUNCTION pg_temp.acl(a aclitem[], kind "char", owner oid) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN coalesce(cardinality(x), 0) = 0 THEN '(none)' ELSE
		   (SELECT string_agg(s, ' ' ORDER BY s)
			  FROM (SELECT format('%s=%s/%s%s',
								  CASE WHEN e.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(e.grantee) END,
								  e.privilege_type, pg_get_userbyid(e.grantor),
								  CASE WHEN e.is_grantable THEN '*' ELSE '' END) AS s
					  FROM aclexplode(x) e) g) END
	  FROM (SELECT CASE WHEN kind = '-' THEN a ELSE coalesce(a, acldefault(kind, owner)) END AS x) d
$$;
CREATE FUNCTION pg_temp.cmt(cls regclass, obj oid, sub int DEFAULT 0) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT coalesce((SELECT quote_literal(description) FROM pg_description
					  WHERE classoid = cls AND objoid = obj AND objsubid = sub), '(none)')
$$;

WITH ext AS (
	SELECT * FROM pg_extension WHERE extname = 'scim'
), members AS (
	SELECT d.classid, d.objid, d.objsubid
	  FROM pg_depend d, ext
	 WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'
), nsp AS (
	SELECT n.oid, n.nspname FROM pg_namespace n, ext WHERE n.oid = ext.extnamespace
	UNION
	SELECT n.oid, n.nspname FROM pg_namespace n JOIN members m ON m.classid = 'pg_namespace'::regclass AND m.objid = n.oid
), rels AS (
	SELECT c.* FROM pg_class c WHERE c.relnamespace IN (SELECT oid FROM nsp) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')
	UNION
	SELECT c.* FROM pg_class c JOIN members m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid
), procs AS (
	SELECT p.* FROM pg_proc p WHERE p.pronamespace IN (SELECT oid FROM nsp)
	UNION
	SELECT p.* FROM pg_proc p JOIN members m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid
), types AS (
	SELECT t.* FROM pg_type t
	 WHERE (t.typnamespace IN (SELECT oid FROM nsp)
			OR t.oid IN (SELECT objid FROM members WHERE classid = 'pg_type'::regclass))
	   -- a table's row type and every array type come with what they belong to
	   AND NOT EXISTS (SELECT FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind <> 'c')
	   AND NOT EXISTS (SELECT FROM pg_type e WHERE e.typarray = t.oid)
), opers AS (
	SELECT o.* FROM pg_operator o
	 WHERE o.oprnamespace IN (SELECT oid FROM nsp) OR o.oid IN (SELECT objid FROM members WHERE classid = 'pg_operator'::regclass)
), families AS (
	SELECT f.* FROM pg_opfamily f
	 WHERE f.opfnamespace IN (SELECT oid FROM nsp) OR f.oid IN (SELECT objid FROM members WHERE classid = 'pg_opfamily'::regclass)
), classes AS (
	SELECT c.* FROM pg_opclass c
	 WHERE c.opcnamespace IN (SELECT oid FROM nsp) OR c.oid IN (SELECT objid FROM members WHERE classid = 'pg_opclass'::regclass)
), blocks(b) AS (
	-- the extension itself
	SELECT format('extension scim: version %s, relocatable %s, schema %s, owner %s',
				  extversion, extrelocatable, extnamespace::regnamespace, pg_get_userbyid(extowner))
	  FROM ext
	UNION ALL
	SELECT format('extension scim: configuration table %s, condition %L', c.cfg::regclass, c.cond)
	  FROM ext, unnest(ext.extconfig, ext.extcondition) AS c(cfg, cond)
	UNION ALL
	SELECT format('extension scim: depends on %s (%s)', pg_describe_object(d.refclassid, d.refobjid, d.refobjsubid), d.deptype)
	  FROM pg_depend d, ext WHERE d.classid = 'pg_extension'::regclass AND d.objid = ext.oid
	UNION ALL
	-- its members, with their comments and initial privileges
	SELECT format('member %s %s: comment %s', i.type, i.identity, pg_temp.cmt(m.classid, m.objid, m.objsubid))
	  FROM members m, pg_identify_object(m.classid, m.objid, m.objsubid) i
	UNION ALL
	SELECT format('initial privileges of %s %s (%s): %s', i.type, i.identity, ip.privtype, pg_temp.acl(ip.initprivs, '-', 0))
	  FROM pg_init_privs ip
	  JOIN members m ON m.classid = ip.classoid AND m.objid = ip.objoid
	  , pg_identify_object(ip.classoid, ip.objoid, ip.objsubid) i
	UNION ALL
	-- schemas
	SELECT format('schema %I: owner %s, privileges %s, comment %s', n.nspname, pg_get_userbyid(s.nspowner),
				  pg_temp.acl(s.nspacl, 'n', s.nspowner), pg_temp.cmt('pg_namespace', n.oid))
	  FROM nsp n JOIN pg_namespace s ON s.oid = n.oid
	UNION ALL
	SELECT format('default privileges in %I for %s on %s: %s', n.nspname, pg_get_userbyid(a.defaclrole), a.defaclobjtype,
				  pg_temp.acl(a.defaclacl, '-', 0))
	  FROM pg_default_acl a JOIN nsp n ON n.oid = a.defaclnamespace
	UNION ALL
	-- relations
	SELECT format('relation %s: kind %s, persistence %s, owner %s, row security %s, forced %s, replica identity %s, '
				  'tablespace %s, options %s, of type %s, partition key %s, privileges %s, comment %s',
				  c.oid::regclass, c.relkind, c.relpersistence, pg_get_userbyid(c.relowner),
				  c.relrowsecurity, c.relforcerowsecurity, c.relreplident,
				  coalesce((SELECT spcname FROM pg_tablespace WHERE oid = c.reltablespace), 'default'),
				  coalesce(c.reloptions::text, '(none)'), coalesce(c.reloftype::regtype::text, '(none)'),
				  CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) ELSE '(none)' END,
				  pg_temp.acl(c.relacl, CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner),
				  pg_temp.cmt('pg_class', c.oid))
	  FROM rels c
	UNION ALL
	SELECT format('relation %s: inherits from %s', i.inhrelid::regclass, i.inhparent::regclass)
	  FROM pg_inherits i JOIN rels c ON c.oid = i.inhrelid
	UNION ALL
	SELECT format('relation %s: partition bound %s', c.oid::regclass, pg_get_expr(c.relpartbound, c.oid))
	  FROM rels c WHERE c.relispartition
	UNION ALL
	SELECT format('relation %s: column %s %I %s%s%s%s%s%s, storage %s, options %s, privileges %s, comment %s',
				  c.oid::regclass,
				  row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum), a.attname,
				  format_type(a.atttypid, a.atttypmod),
				  CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END,
				  CASE WHEN a.atthasdef AND a.attgenerated = '' THEN ' DEFAULT ' || pg_get_expr(ad.adbin, ad.adrelid) ELSE '' END,
				  CASE WHEN a.attgenerated <> '' THEN ' GENERATED ' || pg_get_expr(ad.adbin, ad.adrelid) ELSE '' END,
				  CASE WHEN a.attidentity <> '' THEN ' IDENTITY ' || a.attidentity::text ELSE '' END,
				  CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation
					   THEN ' COLLATE ' || a.attcollation::regcollation ELSE '' END,
				  a.attstorage,
				  coalesce((SELECT string_agg(o, ',' ORDER BY o) FROM unnest(a.attoptions) o WHERE o NOT LIKE 'pg\_attver=%'), '(none)'),
				  pg_temp.acl(a.attacl, '-', 0), pg_temp.cmt('pg_class', c.oid, a.attnum))
	  FROM rels c
	  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
	  JOIN pg_type t ON t.oid = a.atttypid
	  LEFT JOIN pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum
	UNION ALL
	SELECT format('relation %s: constraint %I %s, comment %s', c.oid::regclass, k.conname,
				  pg_get_constraintdef(k.oid), pg_temp.cmt('pg_constraint', k.oid))
	  FROM rels c JOIN pg_constraint k ON k.conrelid = c.oid
	UNION ALL
	SELECT format('relation %s: index %s, clustered %s, replica identity %s, comment %s', c.oid::regclass,
				  pg_get_indexdef(x.indexrelid), x.indisclustered, x.indisreplident, pg_temp.cmt('pg_class', x.indexrelid))
	  FROM rels c JOIN pg_index x ON x.indrelid = c.oid
	UNION ALL
	SELECT format('relation %s: policy %I for %s, %s, to %s, using %s, with check %s, comment %s',
				  c.oid::regclass, p.polname, p.polcmd, CASE WHEN p.polpermissive THEN 'permissive' ELSE 'restrictive' END,
				  (SELECT string_agg(CASE WHEN r = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(r) END, ',' ORDER BY 1)
					 FROM unnest(p.polroles) r),
				  coalesce(pg_get_expr(p.polqual, p.polrelid), '(none)'),
				  coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '(none)'),
				  pg_temp.cmt('pg_policy', p.oid))
	  FROM rels c JOIN pg_policy p ON p.polrelid = c.oid
	UNION ALL
	SELECT format('relation %s: trigger %s, enabled %s, comment %s', c.oid::regclass,
				  pg_get_triggerdef(g.oid), g.tgenabled, pg_temp.cmt('pg_trigger', g.oid))
	  FROM rels c JOIN pg_trigger g ON g.tgrelid = c.oid AND NOT g.tgisinternal
	UNION ALL
	SELECT format('relation %s: rule %s, enabled %s, comment %s', c.oid::regclass,
				  pg_get_ruledef(r.oid), r.ev_enabled, pg_temp.cmt('pg_rewrite', r.oid))
	  FROM rels c JOIN pg_rewrite r ON r.ev_class = c.oid AND r.rulename <> '_RETURN'
	UNION ALL
	SELECT format('relation %s: view %s', c.oid::regclass, pg_get_viewdef(c.oid))
	  FROM rels c WHERE c.relkind IN ('v', 'm')
	UNION ALL
	SELECT format('relation %s: sequence %s start %s increment %s min %s max %s cache %s cycle %s',
				  c.oid::regclass, s.seqtypid::regtype, s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle)
	  FROM rels c JOIN pg_sequence s ON s.seqrelid = c.oid
	UNION ALL
	SELECT format('relation %s: statistics %s, comment %s', c.oid::regclass,
				  pg_get_statisticsobjdef(s.oid), pg_temp.cmt('pg_statistic_ext', s.oid))
	  FROM rels c JOIN pg_statistic_ext s ON s.stxrelid = c.oid
	UNION ALL
	-- functions: pg_get_functiondef has language, volatility, strictness,
	-- leakproofness, parallel safety, SECURITY DEFINER, cost, rows,
	-- support and SET clauses
	SELECT format(E'function %s: kind %s, owner %s, privileges %s, comment %s\n%s',
				  p.oid::regprocedure, p.prokind, pg_get_userbyid(p.proowner),
				  pg_temp.acl(p.proacl, 'f', p.proowner), pg_temp.cmt('pg_proc', p.oid),
				  CASE WHEN p.prokind = 'a'
					   THEN format('aggregate (%s) returns %s', pg_get_function_arguments(p.oid), pg_get_function_result(p.oid))
					   ELSE pg_get_functiondef(p.oid) END)
	  FROM procs p
	UNION ALL
	-- types
	SELECT format('type %s: kind %s, owner %s, privileges %s, comment %s%s%s%s',
				  t.oid::regtype, t.typtype, pg_get_userbyid(t.typowner), pg_temp.acl(t.typacl, 'T', t.typowner),
				  pg_temp.cmt('pg_type', t.oid),
				  CASE WHEN t.typtype = 'd' THEN format(', over %s%s%s', format_type(t.typbasetype, t.typtypmod),
						 CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END,
						 coalesce(' DEFAULT ' || t.typdefault, '')) ELSE '' END,
				  CASE WHEN t.typtype = 'e' THEN ', labels ' || (SELECT string_agg(quote_literal(e.enumlabel), ',' ORDER BY e.enumsortorder)
																   FROM pg_enum e WHERE e.enumtypid = t.oid) ELSE '' END,
				  CASE WHEN t.typtype = 'r' THEN ', range of ' || (SELECT r.rngsubtype::regtype::text FROM pg_range r WHERE r.rngtypid = t.oid)
					   ELSE '' END)
	  FROM types t
	UNION ALL
	SELECT format('type %s: constraint %I %s', t.oid::regtype, k.conname, pg_get_constraintdef(k.oid))
	  FROM types t JOIN pg_constraint k ON k.contypid = t.oid
	UNION ALL
	-- operators, operator families and classes
	SELECT format('operator %s: function %s, result %s, commutator %s, negator %s, restrict %s, join %s, '
				  'hashes %s, merges %s, owner %s, comment %s',
				  o.oid::regoperator, o.oprcode::regprocedure, o.oprresult::regtype,
				  nullif(o.oprcom, 0)::regoperator, nullif(o.oprnegate, 0)::regoperator,
				  nullif(o.oprrest, 0)::regprocedure, nullif(o.oprjoin, 0)::regprocedure,
				  o.oprcanhash, o.oprcanmerge, pg_get_userbyid(o.oprowner), pg_temp.cmt('pg_operator', o.oid))
	  FROM opers o
	UNION ALL
	SELECT format('operator family %I.%I using %s: owner %s, comment %s', f.opfnamespace::regnamespace, f.opfname,
				  am.amname, pg_get_userbyid(f.opfowner), pg_temp.cmt('pg_opfamily', f.oid))
	  FROM families f JOIN pg_am am ON am.oid = f.opfmethod
	UNION ALL
	SELECT format('operator family %I.%I using %s: operator %s %s (%s, %s) for %s%s', f.opfnamespace::regnamespace, f.opfname,
				  am.amname, o.amopstrategy, o.amopopr::regoperator, o.amoplefttype::regtype, o.amoprighttype::regtype,
				  o.amoppurpose, coalesce(' order by ' || nullif(o.amopsortfamily, 0)::text, ''))
	  FROM families f JOIN pg_am am ON am.oid = f.opfmethod JOIN pg_amop o ON o.amopfamily = f.oid
	UNION ALL
	SELECT format('operator family %I.%I using %s: function %s (%s, %s) %s', f.opfnamespace::regnamespace, f.opfname,
				  am.amname, p.amprocnum, p.amproclefttype::regtype, p.amprocrighttype::regtype, p.amproc::regprocedure)
	  FROM families f JOIN pg_am am ON am.oid = f.opfmethod JOIN pg_amproc p ON p.amprocfamily = f.oid
	UNION ALL
	SELECT format('operator class %I.%I using %s: for %s, default %s, storage %s, family %I.%I, owner %s, comment %s',
				  c.opcnamespace::regnamespace, c.opcname, am.amname, c.opcintype::regtype, c.opcdefault,
				  coalesce(nullif(c.opckeytype, 0)::regtype::text, '(the type)'),
				  f.opfnamespace::regnamespace, f.opfname, pg_get_userbyid(c.opcowner), pg_temp.cmt('pg_opclass', c.oid))
	  FROM classes c JOIN pg_am am ON am.oid = c.opcmethod JOIN pg_opfamily f ON f.oid = c.opcfamily
)
SELECT b FROM blocks ORDER BY b COLLATE "C";
SQL


# describe DB FILE: the description of DB's extension into FILE
describe() { psql_db "$1" -f "$work/describe.sql" >"$2" 2>&1; }

# --- a fresh install of the default version -------------------------------------------------

FRESH=${P}_fresh
fresh=
if ! new_db "$FRESH"; then
	not_ok "fresh CREATE EXTENSION scim installs $DEFAULT" "$(cat "$work/err")"
elif check "fresh CREATE EXTENSION scim installs $DEFAULT" "$FRESH" -v version="$DEFAULT" <<-'SQL'; then
	CREATE EXTENSION pgcrypto;
	CREATE EXTENSION scim;
	SELECT format('extversion is %s', extversion) FROM pg_extension WHERE extname = 'scim' AND extversion <> :'version';
	SQL
	if describe "$FRESH" "$work/fresh.txt"; then
		fresh=1
	else
		not_ok "the description of the fresh install" "$(head -n 20 "$work/fresh.txt")"
	fi
fi

# --- from every released version --------------------------------------------------------------

URN=urn:ietf:params:scim:schemas:extension:upgrade:2.0:User
for v in "${RELEASES[@]}"; do
	OLD=${P}_${v//[^0-9A-Za-z]/_}
	from="from $v to $DEFAULT:"
	if ! new_db "$OLD"; then
		not_ok "$from CREATE EXTENSION scim VERSION '$v' and data through its SQL API" "$(cat "$work/err")"
		continue
	fi

	# Version v's SQL API writes the data (the public functions as they are
	# since 0.1.0); 2000 more users go straight into the table, so that the
	# planner has a reason to use the indexes.  Then what is read and kept
	# before the update: upg_reads() (every SQL API read), upg_rows (every
	# row of every configuration table, upg_cols its columns), upg_keys
	# (scim._email_keys of every user: 0.1.0's scim._email_keys(attrs) gave
	# keys without the tenant, which 0.2.0 prefixes with
	# "<bytes of tenant_id>:<tenant_id>:"), upg_last (the last event).
	check "$from CREATE EXTENSION scim VERSION '$v' and data through its SQL API" "$OLD" \
		-v version="$v" -v urn="$URN" <<-'SQL' || continue
	\set ent 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
	CREATE EXTENSION pgcrypto;
	CREATE EXTENSION scim VERSION :'version';
	SELECT scim.tenant_create('upg', '{"list_deactivated_members": true}') \g /dev/null
	SELECT scim.tenant_create('upg-zulip', '{"preset": "zulip"}') \g /dev/null
	SELECT scim.tenant_create('upg-bulk') \g /dev/null
	SELECT scim.tenant_configure('upg', '{"max_results": 500, "default_role": "guest"}') \g /dev/null
	CREATE TABLE upg_token AS SELECT scim.token_issue('upg', 'okta') AS token;
	SELECT scim.token_issue('upg', 'expiring', now() + interval '30 days') \g /dev/null
	SELECT scim.token_issue('upg', 'revoked') \g /dev/null
	SELECT scim.token_revoke('upg', 'revoked') \g /dev/null
	SELECT scim.schema_extension_add('upg', :'urn', '[
		{"name": "badge", "type": "integer"},
		{"name": "office", "type": "complex", "subAttributes": [{"name": "building"}, {"name": "floor", "type": "integer"}]},
		{"name": "pets", "multiValued": true}]') \g /dev/null

	SELECT scim.user_create('upg', jsonb_build_object(
		'userName', 'ann@upg.test', 'externalId', 'okta-ann',
		'name', jsonb_build_object('givenName', 'Ann', 'familyName', 'Lee'),
		'emails', jsonb_build_array(
			jsonb_build_object('value', 'Ann@Upg.test', 'type', 'work', 'primary', true),
			jsonb_build_object('value', 'ann@home.test', 'type', 'home')),
		'password', 'correct horse battery staple', 'role', 'owner',
		:'urn', jsonb_build_object('badge', 7, 'office', jsonb_build_object('building', 'HQ', 'floor', 3), 'pets', jsonb_build_array('cat')),
		:'ent', jsonb_build_object('employeeNumber', '42', 'department', 'R&D'))) ->> 'id' AS ann \gset
	SELECT scim.user_create('upg', '{"userName": "bob@upg.test", "name": {"formatted": "Bob Stone"},
		"emails": [{"value": "bob@upg.test", "type": "work"}, {"value": "BOB@Example.org"}]}') ->> 'id' AS bob \gset
	SELECT scim.user_create('upg', '{"userName": "cy@upg.test", "displayName": "Cy",
		"phoneNumbers": [{"value": "+1 555 0100", "type": "work"}]}') ->> 'id' AS cy \gset
	SELECT scim.user_create('upg', '{"userName": "gone@upg.test", "emails": [{"value": "gone@upg.test"}]}') ->> 'id' AS gone \gset
	SELECT scim.user_create('upg-zulip', '{"userName": "zed@zulip.test", "name": {"givenName": "Zed", "familyName": "Zulu"},
		"emails": [{"value": "zed@zulip.test", "primary": true}]}') \g /dev/null
	SELECT scim.group_create('upg', jsonb_build_object('displayName', 'Engineering', 'externalId', 'okta-eng',
		'members', jsonb_build_array(jsonb_build_object('value', :'ann'), jsonb_build_object('value', :'bob')))) ->> 'id' AS eng \gset
	SELECT scim.group_create('upg', '{"displayName": "Everyone"}') ->> 'id' AS everyone \gset
	SELECT scim.group_patch('upg', :'everyone', jsonb_build_object('Operations', jsonb_build_array(jsonb_build_object(
		'op', 'add', 'path', 'members', 'value', jsonb_build_array(jsonb_build_object('value', :'cy'), jsonb_build_object('value', :'gone')))))) \g /dev/null
	SELECT scim.user_replace('upg', :'cy', '{"userName": "cy@upg.test", "displayName": "Cy Young",
		"emails": [{"value": "cy@upg.test", "type": "other"}]}') \g /dev/null
	SELECT scim.user_patch('upg', :'bob', '{"Operations": [{"op": "replace", "value": {"active": false}}]}') \g /dev/null
	SELECT scim.user_delete('upg', :'gone') \g /dev/null

	INSERT INTO scim.users (tenant_id, id, user_name, attrs)
	SELECT 'upg-bulk', gen_random_uuid(), 'u' || i || '@bulk.test',
		   jsonb_build_object('emails', jsonb_build_array(
			   jsonb_build_object('value', 'U' || i || '@Bulk.test', 'type', 'work'),
			   jsonb_build_object('value', 'u' || i || '@home.test')))
	  FROM generate_series(1, 2000) AS i;
	VACUUM (ANALYZE) scim.users;

	CREATE FUNCTION upg_reads() RETURNS TABLE (k text, doc jsonb) LANGUAGE sql AS $$
		SELECT 'user ' || tenant_id || ' ' || user_name, scim.user_get(tenant_id, id::text)
		  FROM scim.users WHERE tenant_id <> 'upg-bulk' OR user_name IN ('u7@bulk.test', 'u1234@bulk.test')
		UNION ALL
		SELECT 'group ' || tenant_id || ' ' || display_name, scim.group_get(tenant_id, id::text) FROM scim.groups
		UNION ALL
		SELECT format('users of %s where %s', t, f), scim.user_list(t, f, 1, 1000, 'userName')
		  FROM (VALUES ('upg', NULL), ('upg', 'emails.value eq "ann@home.test"'),
					   ('upg', 'emails[type eq "work"].value eq "ANN@upg.test"'), ('upg', 'emails.value eq "bob@example.org"'),
					   ('upg', 'emails.value eq "gone@upg.test"'), ('upg', 'active eq false'),
					   ('upg', 'urn:ietf:params:scim:schemas:extension:upgrade:2.0:User:badge gt 5'),
					   ('upg-bulk', 'emails.value eq "u1234@bulk.test"'), ('upg-bulk', 'emails[type eq "work"].value eq "u77@BULK.test"'),
					   ('upg-bulk', 'userName sw "u12"'), ('upg-zulip', NULL)) AS l(t, f)
		UNION ALL
		SELECT 'groups of ' || t, scim.group_list(t, NULL, 1, 1000, 'displayName') FROM (VALUES ('upg'), ('upg-zulip')) AS l(t)
		UNION ALL
		SELECT 'settings of ' || tenant_id, settings FROM scim.tenants
		UNION ALL
		SELECT 'password of ann', to_jsonb(scim.password_verify('upg', 'ANN@upg.test', 'correct horse battery staple'))
		UNION ALL
		SELECT 'tokens', jsonb_agg(jsonb_build_array(tenant_id, label, expires IS NOT NULL) ORDER BY tenant_id, label) FROM scim.tokens
	$$;
	CREATE FUNCTION upg_rows() RETURNS TABLE (tbl text, r jsonb) LANGUAGE plpgsql AS $$
	DECLARE
		t regclass;
	BEGIN
		FOR t IN SELECT unnest(extconfig) FROM pg_extension WHERE extname = 'scim' LOOP
			RETURN QUERY EXECUTE format('SELECT %L, to_jsonb(x) FROM %s x', t, t);
		END LOOP;
	END
	$$;
	CREATE TABLE upg_before AS SELECT * FROM upg_reads();
	CREATE TABLE upg_rows AS SELECT * FROM upg_rows();
	CREATE TABLE upg_cols AS
		SELECT a.attrelid::regclass::text AS tbl, array_agg(a.attname::text) AS cols
		  FROM pg_attribute a, pg_extension e
		 WHERE e.extname = 'scim' AND a.attrelid = ANY (e.extconfig) AND a.attnum > 0 AND NOT a.attisdropped
		 GROUP BY a.attrelid;
	DO $$
	BEGIN
		IF to_regprocedure('scim._email_keys(text, jsonb)') IS NOT NULL THEN
			CREATE TABLE upg_keys AS
			SELECT tenant_id, id, scim._email_keys(tenant_id, attrs) AS keys FROM scim.users;
		ELSE
			CREATE TABLE upg_keys AS
			SELECT u.tenant_id, u.id,
				   ARRAY(SELECT octet_length(u.tenant_id) || ':' || u.tenant_id || ':' || k.key
						   FROM unnest(scim._email_keys(u.attrs)) WITH ORDINALITY AS k(key, n)
						  ORDER BY k.n) AS keys
			  FROM scim.users u;
		END IF;
	END
	$$;
	CREATE TABLE upg_last AS SELECT max(seq) AS seq, count(*) AS n FROM scim.events WHERE tenant_id = 'upg';
	SELECT 'no event before the update' FROM upg_last WHERE n = 0;
	SELECT 'the emails filter found ' || (doc ->> 'totalResults') || ' users' FROM upg_before
	 WHERE k LIKE 'users of % where emails.value eq%' AND k NOT LIKE '%gone%' AND (doc ->> 'totalResults') <> '1';
	SQL

	# what scim.so keeps of functions that v declared and a later release
	# removed (src/removed.c): each call is feature_not_supported
	check "$from the functions of $v that a later release removed say so" "$OLD" <<-'SQL'
	DO $$
	DECLARE
		c text;
	BEGIN
		FOREACH c IN ARRAY ARRAY[
			'SELECT scim._filter_to_sql(''User'', ''userName eq "x"'')',
			'SELECT * FROM scim._filter_params(''User'', ''userName eq "x"'')',
			'SELECT * FROM scim._filter_explain(''upg'', ''User'', NULL)']
		LOOP
			CONTINUE WHEN to_regproc(substring(c FROM 'scim\._[a-z_]+')) IS NULL;
			BEGIN
				EXECUTE c;
				RAISE EXCEPTION 'no error from: %', c;
			EXCEPTION WHEN feature_not_supported THEN
				IF SQLERRM NOT LIKE 'function scim._filter_% was removed in scim 0.2.0' THEN
					RAISE EXCEPTION 'from %: %', c, SQLERRM;
				END IF;
			END;
		END LOOP;
	END $$;
	SQL

	check "$from ALTER EXTENSION scim UPDATE reaches $DEFAULT" "$OLD" -v version="$DEFAULT" <<-'SQL' || continue
	ALTER EXTENSION scim UPDATE;
	SELECT format('extversion is %s', extversion) FROM pg_extension WHERE extname = 'scim' AND extversion <> :'version';
	SQL

	check "$from every row of every table is kept" "$OLD" <<-'SQL'
	WITH now AS (
		SELECT r.tbl, (SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each(r.r) e WHERE e.key = ANY (c.cols)) AS r
		  FROM upg_rows() r JOIN upg_cols c USING (tbl)
	), lost AS (
		SELECT tbl, r FROM upg_rows EXCEPT ALL SELECT tbl, r FROM now
	), added AS (
		SELECT tbl, r FROM now EXCEPT ALL SELECT tbl, r FROM upg_rows
	)
	SELECT 'before, not after: ' || tbl || ' ' || left(r::text, 400) FROM lost
	UNION ALL
	SELECT 'after, not before: ' || tbl || ' ' || left(r::text, 400) FROM added
	UNION ALL
	SELECT 'table gone: ' || tbl FROM upg_cols WHERE to_regclass(tbl) IS NULL;
	SQL

	# Nothing is left out of the comparison: a read after the update must be
	# the very same document (meta.version and meta.lastModified included).
	check "$from users, groups, lists, settings, passwords and tokens read back identically" "$OLD" <<-'SQL'
	SELECT format(E'%s\n  before: %s\n  after:  %s', coalesce(b.k, a.k), left(b.doc::text, 600), left(a.doc::text, 600))
	  FROM upg_before b FULL JOIN upg_reads() a ON a.k = b.k
	 WHERE a.doc IS DISTINCT FROM b.doc
	 ORDER BY 1;
	SQL

	check "$from scim._email_keys gives every user the keys of $v's function, led by the tenant" "$OLD" <<-'SQL'
	SELECT format('%s %s: %s before the update, %s after', k.tenant_id, k.id, k.keys, scim._email_keys(u.tenant_id, u.attrs))
	  FROM upg_keys k LEFT JOIN scim.users u USING (tenant_id, id)
	 WHERE k.keys IS DISTINCT FROM scim._email_keys(u.tenant_id, u.attrs);
	SELECT 'no user has email keys' WHERE NOT EXISTS (SELECT FROM upg_keys WHERE cardinality(keys) > 0);
	SQL

	# as the SQL API runs it: scim_owner, row-level security forced; the
	# plans through scim._filter_explain of the test aids (test/scim_test/),
	# dropped again before the objects are compared
	check "$from emails filters use the GIN index users_email_keys under row-level security and find the user" "$OLD" <<-'SQL'
	CREATE EXTENSION scim_test;
	SET ROLE scim_owner;
	CREATE TEMP TABLE plans AS
	SELECT f, (SELECT string_agg(line, E'\n') FROM scim._filter_explain('upg-bulk', 'User', f) AS line) AS plan
	  FROM (VALUES ('emails.value eq "U1234@bulk.test"'), ('emails[type eq "work"].value eq "u77@BULK.test"')) AS v(f);
	SELECT format(E'%s: not through users_email_keys\n%s', f, plan) FROM plans WHERE plan NOT LIKE '%users_email_keys%';
	RESET ROLE;
	SELECT format('%s found %s', f, scim.user_list('upg-bulk', f) -> 'Resources')
	  FROM (VALUES ('emails.value eq "U1234@bulk.test"', 'u1234@bulk.test'),
				   ('emails[type eq "work"].value eq "u77@BULK.test"', 'u77@bulk.test'),
				   ('emails[type eq "home"].value eq "u77@BULK.test"', NULL)) AS v(f, who)
	 WHERE (SELECT coalesce(jsonb_agg(r -> 'userName'), '[]') FROM jsonb_array_elements(scim.user_list('upg-bulk', f) -> 'Resources') r)
		   IS DISTINCT FROM CASE WHEN who IS NULL THEN '[]' ELSE jsonb_build_array(who) END;
	DROP EXTENSION scim_test;
	SQL

	check "$from a token issued by $v authenticates a request through scim_api.handle" "$OLD" <<-'SQL'
	SELECT set_config('request.headers', jsonb_build_object(
		'x-scim-method', 'GET', 'x-scim-uri', '/scim/v2/Users?filter=emails.value%20eq%20%22ann%40home.test%22',
		'x-scim-host', 'sp.example', 'x-scim-scheme', 'https', 'x-scim-authorization', 'Bearer ' || token)::text, false)
	  FROM upg_token \g /dev/null
	WITH r AS MATERIALIZED (SELECT scim_api.handle(''::bytea)::jsonb AS body)
	SELECT format('status %s: %s', current_setting('response.status', true), left(body::text, 400))
	  FROM r
	 WHERE coalesce(nullif(current_setting('response.status', true), ''), '200') <> '200'
		OR body ->> 'totalResults' IS DISTINCT FROM '1'
		OR body #>> '{Resources,0,userName}' IS DISTINCT FROM 'ann@upg.test';
	SQL

	check "$from writes after the update: create, patch, replace, membership, reactivation; filters see them" "$OLD" <<-'SQL'
	SELECT id AS ann FROM scim.users WHERE tenant_id = 'upg' AND user_name = 'ann@upg.test' \gset
	SELECT id AS bob FROM scim.users WHERE tenant_id = 'upg' AND user_name = 'bob@upg.test' \gset
	SELECT id AS eng FROM scim.groups WHERE tenant_id = 'upg' AND display_name = 'Engineering' \gset
	SELECT scim.user_create('upg', '{"userName": "dee@upg.test", "emails": [{"value": "Dee@New.test", "type": "work"}]}') ->> 'id' AS dee \gset
	SELECT scim.user_patch('upg', :'dee', '{"Operations": [{"op": "add", "path": "emails",
		"value": [{"value": "dee@other.test", "type": "home"}]}]}') \g /dev/null
	SELECT scim.user_patch('upg', :'ann', '{"Operations": [{"op": "replace", "path": "emails",
		"value": [{"value": "annie@upg.test", "type": "work", "primary": true}]}, {"op": "replace", "path": "name.givenName", "value": "Annie"}]}') \g /dev/null
	SELECT scim.user_patch('upg', :'bob', '{"Operations": [{"op": "replace", "path": "active", "value": true}]}') \g /dev/null
	SELECT scim.group_patch('upg', :'eng', jsonb_build_object('Operations', jsonb_build_array(jsonb_build_object(
		'op', 'add', 'path', 'members', 'value', jsonb_build_array(jsonb_build_object('value', :'dee')))))) \g /dev/null
	SELECT scim.user_create('upg-bulk', '{"userName": "u9999@bulk.test", "emails": [{"value": "U9999@Bulk.test", "type": "work"}]}') \g /dev/null
	SELECT format('%s found %s, expected %s', f, scim.user_list(t, f, 1, 100, 'userName') -> 'Resources', who)
	  FROM (VALUES ('upg', 'emails.value eq "dee@other.test"', '["dee@upg.test"]'),
				   ('upg', 'emails[type eq "work"].value eq "DEE@new.test"', '["dee@upg.test"]'),
				   ('upg', 'emails.value eq "annie@upg.test"', '["ann@upg.test"]'),
				   ('upg', 'emails.value eq "ann@home.test"', '[]'),
				   ('upg', 'name.givenName eq "annie"', '["ann@upg.test"]'),
				   ('upg', 'active eq false', '[]'),
				   ('upg-bulk', 'emails.value eq "u9999@bulk.test"', '["u9999@bulk.test"]')) AS v(t, f, who)
	 WHERE (SELECT coalesce(jsonb_agg(r -> 'userName' ORDER BY r ->> 'userName'), '[]')
			  FROM jsonb_array_elements(scim.user_list(t, f, 1, 100, 'userName') -> 'Resources') r) <> who::jsonb;
	SELECT 'members of Engineering: ' || (scim.group_get('upg', :'eng') -> 'members')::text
	 WHERE (SELECT count(*) FROM jsonb_array_elements(scim.group_get('upg', :'eng') -> 'members')) <> 3;
	SQL

	check "$from the change feed carries on: events_since continues after $v's last event" "$OLD" <<-'SQL'
	SELECT seq AS last, n AS n_before FROM upg_last \gset
	CREATE TEMP TABLE feed AS SELECT * FROM scim.events_since('upg', :last, 100000);
	CREATE TEMP TABLE feed_all AS SELECT * FROM scim.events_since('upg', 0, 100000);
	SELECT 'events_since after the last event gave nothing' WHERE NOT EXISTS (SELECT FROM feed);
	SELECT format('event %s is not after %s', seq, :last) FROM feed WHERE seq <= :last;
	SELECT format('events_since gave %s of the %s new events', (SELECT count(*) FROM feed), count(*))
	  FROM scim.events WHERE tenant_id = 'upg' AND seq > :last HAVING count(*) <> (SELECT count(*) FROM feed);
	SELECT format('events_since from 0 gave %s events, %s before and %s after the update',
				  (SELECT count(*) FROM feed_all), :n_before, (SELECT count(*) FROM feed))
	 WHERE (SELECT count(*) FROM feed_all) <> :n_before + (SELECT count(*) FROM feed);
	SELECT 'the new user''s creation is not in the feed'
	 WHERE NOT EXISTS (SELECT FROM feed f JOIN scim.users u ON u.tenant_id = f.tenant_id AND u.id = f.resource_id
					   WHERE u.user_name = 'dee@upg.test');
	SQL

	# Every key of every user, looked up through the index alone (sequential
	# scans off; the GIN "contains" strategy needs no recheck), finds
	# exactly the users whose scim._email_keys hold it: the entries the
	# index got from the update and from the writes after it agree with the
	# function.
	check "$from the index users_email_keys (entries of the update and of writes after it) agrees with scim._email_keys" "$OLD" <<-'SQL'
	SET enable_seqscan = off;
	CREATE TEMP TABLE k AS SELECT DISTINCT unnest(scim._email_keys(tenant_id, attrs)) AS key FROM scim.users;
	ANALYZE k;
	CREATE TEMP VIEW via_index AS
	SELECT k.key, array_agg(u.tenant_id || '/' || u.id ORDER BY u.tenant_id || '/' || u.id) AS ids
	  FROM k, LATERAL (SELECT * FROM scim.users u WHERE scim._email_keys(u.tenant_id, u.attrs) OPERATOR(scim.@>>) ARRAY[k.key]) u
	 GROUP BY k.key;
	CREATE TEMP VIEW via_function AS
	SELECT x.key, array_agg(u.tenant_id || '/' || u.id ORDER BY u.tenant_id || '/' || u.id) AS ids
	  FROM scim.users u, unnest(scim._email_keys(u.tenant_id, u.attrs)) AS x(key)
	 GROUP BY x.key;
	CREATE FUNCTION pg_temp.plan(q text) RETURNS text LANGUAGE plpgsql AS $$
	DECLARE
		l text;
		p text := '';
	BEGIN
		FOR l IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
			p := p || l || E'\n';
		END LOOP;
		RETURN p;
	END
	$$;
	SELECT E'the lookups do not go through users_email_keys alone:\n' || p
	  FROM pg_temp.plan('SELECT * FROM via_index') AS p
	 WHERE p NOT LIKE '%Bitmap Index Scan on users_email_keys%' OR p LIKE '%Seq Scan on users%';
	SELECT format('key %s: the index finds %s, the function says %s', coalesce(i.key, f.key), i.ids, f.ids)
	  FROM via_index i FULL JOIN via_function f ON f.key = i.key
	 WHERE i.ids IS DISTINCT FROM f.ids
	 ORDER BY 1 LIMIT 20;
	SQL

	name="$from the extension's objects are those of a fresh install of $DEFAULT"
	if [ -z "$fresh" ]; then
		not_ok "$name" "the fresh install failed"
	elif ! describe "$OLD" "$work/upgraded.txt"; then
		not_ok "$name" "$(head -n 20 "$work/upgraded.txt")"
	elif diff -u --label "fresh $DEFAULT" --label "$v updated" "$work/fresh.txt" "$work/upgraded.txt" >"$work/diff"; then
		ok "$name"
	else
		not_ok "$name" "$(cat "$work/diff")"
	fi
done

echo "1..$n"
[ "$fails" -eq 0 ]
