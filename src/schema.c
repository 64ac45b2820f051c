/*-------------------------------------------------------------------------
 *
 * schema.c
 *	  The User, enterprise User and Group schemas as data (RFC 7643 §4, §8.7).
 *
 * Characteristics not stated default as RFC 7643 §2.2 says: required
 * false, caseExact false, mutability readWrite, returned default,
 * uniqueness none.  The "role" attribute is not in RFC 7643: it is the
 * single organization role of the user, as Zulip models it, kept in the
 * core User schema because that is where Okta and Zulip put it.
 *
 * src/schema.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "pure.h"
#include "schema.h"

/* shorthand constructors for the tables below */
#define STR(n, d) {n, SAT_STRING, false, false, false, SM_READWRITE, SR_DEFAULT, SU_NONE, d}
#define STRX(n, d) {n, SAT_STRING, false, false, true, SM_READWRITE, SR_DEFAULT, SU_NONE, d}
#define BOOL(n, d) {n, SAT_BOOLEAN, false, false, false, SM_READWRITE, SR_DEFAULT, SU_NONE, d}
#define CANON(n, d, c) {n, SAT_STRING, false, false, false, SM_READWRITE, SR_DEFAULT, SU_NONE, d, c}
#define REF(n, d, r) {n, SAT_REFERENCE, false, false, false, SM_READWRITE, SR_DEFAULT, SU_NONE, d, NULL, r}
#define MULTI(n, d, subs) {n, SAT_COMPLEX, true, false, false, SM_READWRITE, SR_DEFAULT, SU_NONE, d, NULL, NULL, subs, lengthof(subs)}
#define COMPLEX(n, d, subs) {n, SAT_COMPLEX, false, false, false, SM_READWRITE, SR_DEFAULT, SU_NONE, d, NULL, NULL, subs, lengthof(subs)}

static const char *const ref_external[] = {"external", NULL};
static const char *const ref_user[] = {"User", NULL};
static const char *const ref_user_group[] = {"User", "Group", NULL};
static const char *const email_types[] = {"work", "home", "other", NULL};
static const char *const phone_types[] = {"work", "home", "mobile", "fax", "pager", "other", NULL};
static const char *const im_types[] = {"aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo", NULL};
static const char *const photo_types[] = {"photo", "thumbnail", NULL};
static const char *const address_types[] = {"work", "home", "other", NULL};
static const char *const group_types[] = {"direct", "indirect", NULL};
static const char *const member_types[] = {"User", "Group", NULL};
static const char *const role_values[] = {"owner", "administrator", "moderator", "member", "guest", NULL};

static const ScimAttrDef name_subs[] = {
	STR("formatted", "The full name, including all middle names, titles, and suffixes as appropriate, formatted for display."),
	STR("familyName", "The family name of the User, or last name in most Western languages."),
	STR("givenName", "The given name of the User, or first name in most Western languages."),
	STR("middleName", "The middle name(s) of the User."),
	STR("honorificPrefix", "The honorific prefix(es) of the User, or title in most Western languages."),
	STR("honorificSuffix", "The honorific suffix(es) of the User, or suffix in most Western languages."),
};

static const ScimAttrDef email_subs[] = {
	STR("value", "Email address for the User."),
	STR("display", "A human-readable name, primarily used for display purposes."),
	CANON("type", "A label indicating the attribute's function, e.g., 'work' or 'home'.", email_types),
	BOOL("primary", "Indicates whether this is the primary email address."),
};

static const ScimAttrDef phone_subs[] = {
	STR("value", "Phone number of the User."),
	STR("display", "A human-readable name, primarily used for display purposes."),
	CANON("type", "A label indicating the attribute's function, e.g., 'work', 'home', 'mobile'.", phone_types),
	BOOL("primary", "Indicates whether this is the primary phone number."),
};

static const ScimAttrDef im_subs[] = {
	STR("value", "Instant messaging address for the User."),
	STR("display", "A human-readable name, primarily used for display purposes."),
	CANON("type", "A label indicating the attribute's function, e.g., 'aim', 'gtalk', 'xmpp'.", im_types),
	BOOL("primary", "Indicates whether this is the primary instant messaging address."),
};

static const ScimAttrDef photo_subs[] = {
	{"value", SAT_REFERENCE, false, false, true, SM_READWRITE, SR_DEFAULT, SU_NONE, "URL of a photo of the User.", NULL, ref_external},
	STR("display", "A human-readable name, primarily used for display purposes."),
	CANON("type", "A label indicating the attribute's function, i.e., 'photo' or 'thumbnail'.", photo_types),
	BOOL("primary", "Indicates whether this is the primary photo."),
};

static const ScimAttrDef address_subs[] = {
	STR("formatted", "The full mailing address, formatted for display or use with a mailing label."),
	STR("streetAddress", "The full street address component."),
	STR("locality", "The city or locality component."),
	STR("region", "The state or region component."),
	STR("postalCode", "The zip code or postal code component."),
	STR("country", "The country name component."),
	CANON("type", "A label indicating the attribute's function, e.g., 'work' or 'home'.", address_types),
	BOOL("primary", "Indicates whether this is the primary address."),
};

static const ScimAttrDef user_group_subs[] = {
	{"value", SAT_STRING, false, false, false, SM_READONLY, SR_DEFAULT, SU_NONE, "The identifier of the User's group."},
	{"$ref", SAT_REFERENCE, false, false, false, SM_READONLY, SR_DEFAULT, SU_NONE, "The URI of the corresponding 'Group' resource.", NULL, ref_user_group},
	{"display", SAT_STRING, false, false, false, SM_READONLY, SR_DEFAULT, SU_NONE, "A human-readable name, primarily used for display purposes."},
	{"type", SAT_STRING, false, false, false, SM_READONLY, SR_DEFAULT, SU_NONE, "A label indicating the attribute's function, e.g., 'direct' or 'indirect'.", group_types},
};

static const ScimAttrDef typed_value_subs[] = {
	STR("value", "The value."),
	STR("display", "A human-readable name, primarily used for display purposes."),
	STR("type", "A label indicating the attribute's function."),
	BOOL("primary", "Indicates whether this is the primary value."),
};

static const ScimAttrDef cert_subs[] = {
	{"value", SAT_BINARY, false, false, true, SM_READWRITE, SR_DEFAULT, SU_NONE, "The value of an X.509 certificate."},
	STR("display", "A human-readable name, primarily used for display purposes."),
	STR("type", "A label indicating the attribute's function."),
	BOOL("primary", "Indicates whether this is the primary certificate."),
};

static const ScimAttrDef user_attrs[] = {
	{"id", SAT_STRING, false, false, true, SM_READONLY, SR_ALWAYS, SU_SERVER, "Unique identifier for the SCIM resource as defined by the Service Provider."},
	{"externalId", SAT_STRING, false, false, true, SM_READWRITE, SR_DEFAULT, SU_NONE, "A String that is an identifier for the resource as defined by the provisioning client."},
	{"userName", SAT_STRING, false, true, false, SM_READWRITE, SR_DEFAULT, SU_SERVER, "Unique identifier for the User, typically used by the user to directly authenticate to the service provider."},
	COMPLEX("name", "The components of the user's real name.", name_subs),
	STR("displayName", "The name of the User, suitable for display to end-users."),
	STR("nickName", "The casual way to address the user in real life."),
	REF("profileUrl", "A fully qualified URL pointing to a page representing the User's online profile.", ref_external),
	STR("title", "The user's title, such as \"Vice President.\""),
	STR("userType", "Used to identify the relationship between the organization and the user."),
	STR("preferredLanguage", "Indicates the User's preferred written or spoken language."),
	STR("locale", "Used to indicate the User's default location for purposes of localizing items such as currency, date time format, or numerical representations."),
	STR("timezone", "The User's time zone in the 'Olson' time zone database format, e.g., 'America/Los_Angeles'."),
	BOOL("active", "A Boolean value indicating the User's administrative status."),
	{"password", SAT_STRING, false, false, false, SM_WRITEONLY, SR_NEVER, SU_NONE, "The User's cleartext password, stored only as a salted hash and never returned."},
	{"role", SAT_STRING, false, false, false, SM_READWRITE, SR_DEFAULT, SU_NONE, "The user's role in the organization; the allowed values are a tenant setting.", role_values},
	MULTI("emails", "Email addresses for the user.", email_subs),
	MULTI("phoneNumbers", "Phone numbers for the User.", phone_subs),
	MULTI("ims", "Instant messaging addresses for the User.", im_subs),
	MULTI("photos", "URLs of photos of the User.", photo_subs),
	MULTI("addresses", "A physical mailing address for this User.", address_subs),
	{"groups", SAT_COMPLEX, true, false, false, SM_READONLY, SR_DEFAULT, SU_NONE, "A list of groups to which the user belongs, either through direct membership or through nested groups.", NULL, NULL, user_group_subs, lengthof(user_group_subs)},
	MULTI("entitlements", "A list of entitlements for the User that represent a thing the User has.", typed_value_subs),
	MULTI("roles", "A list of roles for the User that collectively represent who the User is.", typed_value_subs),
	MULTI("x509Certificates", "A list of certificates issued to the User.", cert_subs),
};

static const ScimAttrDef manager_subs[] = {
	{"value", SAT_STRING, false, false, true, SM_READWRITE, SR_DEFAULT, SU_NONE, "The id of the SCIM resource representing the User's manager."},
	REF("$ref", "The URI of the SCIM resource representing the User's manager.", ref_user),
	{"displayName", SAT_STRING, false, false, false, SM_READONLY, SR_DEFAULT, SU_NONE, "The displayName of the User's manager."},
};

static const ScimAttrDef enterprise_attrs[] = {
	STR("employeeNumber", "Numeric or alphanumeric identifier assigned to a person, typically based on order of hire or association with an organization."),
	STR("costCenter", "Identifies the name of a cost center."),
	STR("organization", "Identifies the name of an organization."),
	STR("division", "Identifies the name of a division."),
	STR("department", "Identifies the name of a department."),
	COMPLEX("manager", "The User's manager.", manager_subs),
};

static const ScimAttrDef member_subs[] = {
	{"value", SAT_STRING, false, true, true, SM_IMMUTABLE, SR_DEFAULT, SU_NONE, "Identifier of the member of this Group."},
	{"$ref", SAT_REFERENCE, false, false, false, SM_IMMUTABLE, SR_DEFAULT, SU_NONE, "The URI corresponding to a SCIM resource that is a member of this Group.", NULL, ref_user_group},
	{"type", SAT_STRING, false, false, false, SM_IMMUTABLE, SR_DEFAULT, SU_NONE, "A label indicating the type of resource, e.g., 'User' or 'Group'.", member_types},
	{"display", SAT_STRING, false, false, false, SM_READONLY, SR_DEFAULT, SU_NONE, "A human-readable name of the member."},
};

static const ScimAttrDef group_attrs[] = {
	{"id", SAT_STRING, false, false, true, SM_READONLY, SR_ALWAYS, SU_SERVER, "Unique identifier for the SCIM resource as defined by the Service Provider."},
	{"externalId", SAT_STRING, false, false, true, SM_READWRITE, SR_DEFAULT, SU_NONE, "A String that is an identifier for the resource as defined by the provisioning client."},
	{"displayName", SAT_STRING, false, true, false, SM_READWRITE, SR_DEFAULT, SU_SERVER, "A human-readable name for the Group."},
	MULTI("members", "A list of members of the Group.", member_subs),
};

const ScimSchemaDef ScimUserSchema = {
	SCIM_URN_USER, "User", "User Account", user_attrs, lengthof(user_attrs)
};
const ScimSchemaDef ScimEnterpriseSchema = {
	SCIM_URN_ENTERPRISE, "EnterpriseUser", "Enterprise User", enterprise_attrs, lengthof(enterprise_attrs)
};
const ScimSchemaDef ScimGroupSchema = {
	SCIM_URN_GROUP, "Group", "Group", group_attrs, lengthof(group_attrs)
};

static const ScimSchemaDef *const user_extensions[] = {&ScimEnterpriseSchema, NULL};
static const ScimSchemaDef *const no_extensions[] = {NULL};

const ScimResourceTypeDef ScimUserType = {
	SCIM_RES_USER, "User", "/Users", "User Account", &ScimUserSchema, user_extensions
};
const ScimResourceTypeDef ScimGroupType = {
	SCIM_RES_GROUP, "Group", "/Groups", "Group", &ScimGroupSchema, no_extensions
};

const ScimSchemaDef *const ScimAllSchemas[] = {
	&ScimUserSchema, &ScimEnterpriseSchema, &ScimGroupSchema, NULL
};

/* the attribute of attrs[0..n-1] named name, case-insensitively, or NULL */
static const ScimAttrDef *
find_attr(const ScimAttrDef *attrs, int n, const char *name)
{
	int			i;

	for (i = 0; i < n; i++)
		if (scim_strcasecmp(attrs[i].name, name) == 0)
			return &attrs[i];
	return NULL;
}

/* attribute of schema named name, case-insensitively, or NULL */
const ScimAttrDef *
ScimSchemaFindAttr(const ScimSchemaDef *schema, const char *name)
{
	return find_attr(schema->attrs, schema->nattrs, name);
}

/* sub-attribute of attr named name, case-insensitively, or NULL */
const ScimAttrDef *
ScimAttrFindSub(const ScimAttrDef *attr, const char *name)
{
	return find_attr(attr->subAttributes, attr->nsub, name);
}

/* the core schema or extension of rt whose URN is urn (case-insensitive) */
const ScimSchemaDef *
ScimResourceFindSchema(const ScimResourceTypeDef *rt, const char *urn)
{
	int			i;

	if (scim_strcasecmp(rt->schema->urn, urn) == 0)
		return rt->schema;
	for (i = 0; rt->extensions[i]; i++)
		if (scim_strcasecmp(rt->extensions[i]->urn, urn) == 0)
			return rt->extensions[i];
	return NULL;
}

/* names of the characteristics, as /Schemas spells them */
const char *
ScimAttrTypeName(ScimAttrType t)
{
	static const char *const names[] = {
		"string", "boolean", "decimal", "integer", "dateTime", "binary",
		"reference", "complex"
	};

	return names[t];
}

const char *
ScimMutabilityName(ScimMutability m)
{
	static const char *const names[] = {
		"readWrite", "readOnly", "immutable", "writeOnly"
	};

	return names[m];
}

const char *
ScimReturnedName(ScimReturned r)
{
	static const char *const names[] = {"default", "always", "never", "request"};

	return names[r];
}

const char *
ScimUniquenessName(ScimUniqueness u)
{
	static const char *const names[] = {"none", "server", "global"};

	return names[u];
}

/*
 * ScimIsMetaOrSchemas
 *		Is name (any case) "meta" or "schemas": the attributes of every
 *		resource that the server writes and clients may only echo.
 */
bool
ScimIsMetaOrSchemas(const char *name)
{
	return scim_strcasecmp(name, "meta") == 0 ||
		scim_strcasecmp(name, "schemas") == 0;
}
