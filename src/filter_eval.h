/*-------------------------------------------------------------------------
 *
 * filter_eval.h
 *	  Value-path filters (emails[type eq "work"]) evaluated on one value
 *	  of an attribute (filter_eval.c).
 *
 * src/filter_eval.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCIM_FILTER_EVAL_H
#define SCIM_FILTER_EVAL_H

#include "postgres.h"

#include "filter.h"
#include "json.h"
#include "schema.h"

extern void ScimFilterCheckValue(const ScimFilterNode *f, const ScimAttrDef *attr);
extern bool ScimFilterMatchValue(const ScimFilterNode *f, const ScimJson *elem,
								 const ScimAttrDef *attr);

#endif							/* SCIM_FILTER_EVAL_H */
