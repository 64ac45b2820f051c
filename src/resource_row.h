/*-------------------------------------------------------------------------
 *
 * resource_row.h
 *	  The row shapes of users and groups, each defined once.
 *
 * A user or a group is read as one row: the columns of scim.users (and,
 * for a user, its groups) or of scim.groups, in a fixed order.  Several
 * places depend on that order and on what each column holds:
 *	- the SELECT list of the reads and the RETURNING list of the writes
 *	  (ScimUserColumns and the write shape in user.c, ScimGroupColumns in
 *	  group.c, the lists of query.c through them);
 *	- the column positions the renderers read (UC_*, GC_*);
 *	- the columns and types that key_fetch.c reads straight from the
 *	  indexes to build a tuple of the same shape;
 *	- the SCIM attribute each column holds, which the filter compiler
 *	  (filter_sql.c) compares instead of attrs.
 * All of them are expanded from the lists below (X-macros, as PostgreSQL's
 * parser/kwlist.h is expanded by each of its users), so that a column is
 * added to the reads, or moved, with one edit here.  What fills
 * and renders a new column is code of its own: the INSERT and UPDATE
 * statements, bind_row, row_from_doc and column_attrs of user.c (bind_group
 * of group.c), and the renderers.
 *
 * Each list calls X(NAME, column, type, attr, sub) once per column, in
 * row order:
 *	NAME	the suffix of its position constant (UC_NAME, GC_NAME);
 *	column	the column of the table, a bare identifier;
 *	type	the OID of its type (catalog/pg_type_d.h), checked once per
 *			backend against the table by key_fetch.c;
 *	attr, sub	the SCIM attribute it holds ("name", "givenName"; sub NULL
 *			for a top-level one), or NULL, NULL when it holds none of its
 *			own (attrs, derived).  meta.created, meta.lastModified and
 *			meta.version name the columns meta is made of.
 *
 * Only macros live here: nothing to link, nothing computed per request.
 *
 * src/resource_row.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCIM_RESOURCE_ROW_H
#define SCIM_RESOURCE_ROW_H

#include "catalog/pg_type_d.h"

/* the columns of scim.users a user's row starts with */
#define SCIM_USER_ROW(X) \
	X(ID, id, UUIDOID, "id", NULL) \
	X(USER_NAME, user_name, TEXTOID, "userName", NULL) \
	X(EXTERNAL_ID, external_id, TEXTOID, "externalId", NULL) \
	X(ACTIVE, active, BOOLOID, "active", NULL) \
	X(DISPLAY_NAME, display_name, TEXTOID, "displayName", NULL) \
	X(NAME_FORMATTED, name_formatted, TEXTOID, "name", "formatted") \
	X(GIVEN_NAME, given_name, TEXTOID, "name", "givenName") \
	X(FAMILY_NAME, family_name, TEXTOID, "name", "familyName") \
	X(MIDDLE_NAME, middle_name, TEXTOID, "name", "middleName") \
	X(HONORIFIC_PREFIX, honorific_prefix, TEXTOID, "name", "honorificPrefix") \
	X(HONORIFIC_SUFFIX, honorific_suffix, TEXTOID, "name", "honorificSuffix") \
	X(ROLE, role, TEXTOID, "role", NULL) \
	X(ATTRS, attrs, JSONBOID, NULL, NULL) \
	X(CREATED, created, TIMESTAMPTZOID, "meta", "created") \
	X(MODIFIED, last_modified, TIMESTAMPTZOID, "meta", "lastModified") \
	X(VERSION, version, INT8OID, "meta", "version") \
	X(DERIVED, derived, TEXTARRAYOID, NULL, NULL)

/* the columns of scim.groups, a group's whole row */
#define SCIM_GROUP_ROW(X) \
	X(ID, id, UUIDOID, "id", NULL) \
	X(DISPLAY_NAME, display_name, TEXTOID, "displayName", NULL) \
	X(EXTERNAL_ID, external_id, TEXTOID, "externalId", NULL) \
	X(ATTRS, attrs, JSONBOID, NULL, NULL) \
	X(MANAGED_BY, managed_by, TEXTOID, NULL, NULL) \
	X(CREATED, created, TIMESTAMPTZOID, "meta", "created") \
	X(MODIFIED, last_modified, TIMESTAMPTZOID, "meta", "lastModified") \
	X(VERSION, version, INT8OID, "meta", "version")

/*
 * Positions (attribute numbers, from 1) in a row.  A user's row ends with
 * its groups: a jsonb array of [id, displayName] pairs, or NULL, computed
 * from scim.members rather than read from scim.users.
 */
#define SCIM_ROW_UC(NAME, column, type, attr, sub) UC_##NAME,
#define SCIM_ROW_GC(NAME, column, type, attr, sub) GC_##NAME,

enum
{
	UC_NONE_ = 0,				/* positions count from 1 */
	SCIM_USER_ROW(SCIM_ROW_UC)
	UC_GROUPS
};

enum
{
	GC_NONE_ = 0,				/* positions count from 1 */
	SCIM_GROUP_ROW(SCIM_ROW_GC)
	GC_END_
};

/* how many columns are read from the table (a user's groups are not) */
#define SCIM_USER_TABLE_COLUMNS (UC_GROUPS - 1)
#define SCIM_GROUP_TABLE_COLUMNS (GC_END_ - 1)

/*
 * The select lists, as string literals: ", u.id, u.user_name, ..." with a
 * separator before every item, so that more items can be appended by
 * literal concatenation; SCIM_ROW_SQL skips the first separator.  Built by
 * the compiler: "u.id, u.user_name, ..." in the object file.
 */
#define SCIM_ROW_ITEM_U(NAME, column, type, attr, sub) ", u." #column
#define SCIM_ROW_ITEM_G(NAME, column, type, attr, sub) ", g." #column

#define SCIM_USER_ROW_ITEMS SCIM_USER_ROW(SCIM_ROW_ITEM_U)
#define SCIM_GROUP_ROW_ITEMS SCIM_GROUP_ROW(SCIM_ROW_ITEM_G)
#define SCIM_ROW_SQL(items) (&(items)[sizeof(", ") - 1])

#endif							/* SCIM_RESOURCE_ROW_H */
