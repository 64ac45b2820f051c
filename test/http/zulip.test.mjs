// test/http/zulip.test.mjs - the Zulip profile (issue 11, docs/zulip.md).
//
// Replays, through nginx and PostgREST, the behaviours Zulip's own SCIM test
// suite pins down (zerver/tests/test_scim.py in zulip/zulip: TestSCIMUser,
// TestSCIMGroup, TestNonSCIMAPIAccess, TestRemainingUnsupportedSCIMFeatures),
// translated to this project, plus the rules the "zulip" preset promises.
//
// Every scenario runs twice, each time on a fresh tenant:
//   "zulip tenant"    created with {"preset": "zulip"}
//   "default tenant"  created with no settings (RFC 7643/7644 defaults)
// and asserts both outcomes, so the suite shows exactly where the preset
// departs from the RFC defaults.  Where Zulip itself answers something else
// (500s, 501s, numeric "status", empty 401 bodies, non-atomic PUT), the
// scenario says so and asserts the right answer: the preset copies Zulip's
// rules, not its bugs.
//
// Each tenant is seeded like Zulip's test realm (hamlet, cordelia, othello,
// desdemona the owner, iago the administrator, ...) through the SQL API;
// groups the application made ("Test group", Zulip's check_add_user_group),
// system groups (role:owners, ...) and subgroup links are rows written with
// SQL, as an application would.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';

import {
	scim, sql, sqlJson, lit, newTenant, assertScimError, assertListResponse, assertScimJson,
	qs, eqFilter, uniq, BASE_URL,
	USER_URN, GROUP_URN, PATCH_URN, SEARCH_URN, LIST_URN, ERROR_URN,
} from './lib.mjs';

const PROFILES = ['zulip', 'default'];

/* Zulip's test realm, as far as SCIM sees it: [key, email, full name, role] */
const CAST = [
	['hamlet', 'hamlet@zulip.com', 'King Hamlet', 'member'],
	['cordelia', 'cordelia@zulip.com', 'Cordelia Lear', 'member'],
	['othello', 'othello@zulip.com', 'Othello Moor', 'member'],
	['desdemona', 'desdemona@zulip.com', 'Desdemona', 'owner'],
	['iago', 'iago@zulip.com', 'Iago', 'administrator'],
	['prospero', 'prospero@zulip.com', 'Prospero from The Tempest', 'member'],
	['polonius', 'polonius@zulip.com', 'Polonius', 'guest'],
];

/* Zulip's system groups; role:moderators contains role:administrators as a subgroup */
const SYSTEM_GROUPS = [
	['role:owners', ['desdemona']],
	['role:administrators', ['iago']],
	['role:moderators', []],
	['role:fullmembers', ['hamlet', 'cordelia', 'othello', 'prospero']],
	['role:members', ['hamlet', 'cordelia', 'othello', 'prospero']],
	['role:everyone', ['polonius']],
	['role:internet', []],
	['role:nobody', []],
];

const ROLES = 'owner, administrator, moderator, member, guest';

/**
 * A fresh tenant of the given profile, seeded with CAST.  Returns
 *   { zulip, tenant, token, users: {hamlet: {id, userName, ...}}, http(), ... }
 */
function realm(profile) {
	const zulip = profile === 'zulip';
	const { tenant, token } = newTenant(zulip ? { preset: 'zulip' } : {}, uniq(`zulip-${profile}`));
	const bodies = CAST.map(([, email, full, role]) =>
		({ schemas: [USER_URN], userName: email, name: { formatted: full }, role }));
	const docs = sqlJson(`SELECT json_agg(scim.user_create(${lit(tenant)}, v.x) ORDER BY v.n)
		FROM jsonb_array_elements(${lit(JSON.stringify(bodies))}::jsonb) WITH ORDINALITY AS v(x, n)`);
	const users = {};
	CAST.forEach(([key], i) => { users[key] = docs[i]; });

	const r = {
		zulip,
		tenant,
		token,
		users,
		/** a request with this tenant's token */
		http(method, path, body, options = {}) {
			return scim(method, path, { token, ...(body === undefined ? {} : { body }), ...options });
		},
		/** tenant_configure(tenant, settings) */
		configure(settings) {
			return sqlJson(`SELECT scim.tenant_configure(${lit(tenant)}, ${lit(JSON.stringify(settings))}::jsonb)`);
		},
		/** a group the application made (Zulip's check_add_user_group), with members */
		appGroup(name, memberKeys = [], managedBy = 'app') {
			const ids = memberKeys.map((k) => users[k].id);
			return sql(`WITH g AS (INSERT INTO scim.groups (tenant_id, id, display_name, managed_by)
					VALUES (${lit(tenant)}, gen_random_uuid(), ${lit(name)}, ${lit(managedBy)}) RETURNING id),
				m AS (INSERT INTO scim.members (tenant_id, group_id, member_id, member_type, source)
					SELECT ${lit(tenant)}, g.id, u::uuid, 'User', 'app'
					FROM g, unnest(${lit(`{${ids.join(',')}}`)}::text[]) AS u)
				SELECT id FROM g`);
		},
		/** Zulip's system groups (managed_by system), with their subgroup link */
		systemGroups() {
			const out = {};
			for (const [name, keys] of SYSTEM_GROUPS)
				out[name] = r.appGroup(name, keys, 'system');
			r.link(out['role:moderators'], out['role:administrators']);
			return out;
		},
		/** an application-made subgroup link parent -> child (source app) */
		link(parent, child) {
			sql(`INSERT INTO scim.members (tenant_id, group_id, member_id, member_type, source)
				VALUES (${lit(tenant)}, ${lit(parent)}::uuid, ${lit(child)}::uuid, 'Group', 'app')`);
		},
		/** the direct members of a group in the database (visible or not) */
		dbMembers(groupId) {
			const out = sql(`SELECT member_id FROM scim.members WHERE tenant_id = ${lit(tenant)}
				AND group_id = ${lit(groupId)}::uuid ORDER BY member_id`);
			return out === '' ? [] : out.split('\n').sort();
		},
		/** another organization (Zulip's "zephyr" realm) with one user */
		foreign() {
			const f = newTenant(zulip ? { preset: 'zulip' } : {}, uniq('zulip-mit'));
			const u = sqlJson(`SELECT scim.user_create(${lit(f.tenant)},
				'{"userName": "starnine@mit.edu", "name": {"formatted": "Starnine"}}')`);
			return { ...f, user: u };
		},
		userCount() {
			return Number(sql(`SELECT count(*) FROM scim.users WHERE tenant_id = ${lit(tenant)}`));
		},
		groupCount() {
			return Number(sql(`SELECT count(*) FROM scim.groups WHERE tenant_id = ${lit(tenant)}`));
		},
	};
	return r;
}

let scenarios = 0;

/**
 * One scenario, run against a fresh Zulip-preset tenant and a fresh default
 * tenant: fn(realm, zulip) asserts the outcome of each.
 */
function scenario(title, fn) {
	scenarios += 1;
	describe(title, () => {
		for (const profile of PROFILES)
			test(`${profile} tenant`, async () => fn(realm(profile), profile === 'zulip'));
	});
}

/* ---- payloads and small assertions ---- */

const userBody = (userName, extra = {}) => ({ schemas: [USER_URN], userName, ...extra });
/* the payload of Zulip's test_post */
const newUserBody = (extra = {}) => userBody('newuser@zulip.com', {
	name: { formatted: 'New User', givenName: 'New', familyName: 'User' }, active: true, ...extra,
});
const groupBody = (displayName, members) =>
	({ schemas: [GROUP_URN], displayName, ...(members === undefined ? {} : { members }) });
const ops = (...operations) => ({ schemas: [PATCH_URN], Operations: operations });
const refs = (...users) => users.map((u) => ({ value: u.id }));
const sorted = (...users) => users.map((u) => u.id).sort();
const memberIds = (g) => (g.members ?? []).map((m) => m.value).sort();

function ok(res, status = 200) {
	assert.equal(res.status, status, `${status} expected: ${res.status} ${res.text.slice(0, 400)}`);
	assertScimJson(res);
	return res.body;
}

/* the User shape of Zulip's generate_user_schema, in this project's form */
function assertUserShape(u, expect = {}) {
	assert.deepEqual(u.schemas, [USER_URN]);
	assert.equal(typeof u.id, 'string');
	assert.equal(typeof u.userName, 'string');
	assert.equal(typeof u.active, 'boolean');
	assert.equal(typeof u.role, 'string');
	assert.equal(u.meta.resourceType, 'User');
	assert.ok(u.meta.location.endsWith(`/Users/${u.id}`), u.meta.location);
	assert.ok(!Number.isNaN(Date.parse(u.meta.created)), u.meta.created);
	assert.ok(!Number.isNaN(Date.parse(u.meta.lastModified)), u.meta.lastModified);
	for (const [k, v] of Object.entries(expect))
		assert.deepEqual(k === 'formatted' ? u.name?.formatted : u[k], v, `${k} of ${JSON.stringify(u)}`);
}

/* the Group shape of Zulip's generate_group_schema, in this project's form */
function assertGroupShape(g, displayName, members) {
	assert.deepEqual(g.schemas, [GROUP_URN]);
	assert.equal(typeof g.id, 'string');
	assert.equal(g.displayName, displayName);
	assert.ok(Array.isArray(g.members), 'members is always present');
	assert.deepEqual(memberIds(g), members.map((u) => u.id).sort());
	for (const m of g.members) {
		const u = members.find((x) => x.id === m.value);
		assert.equal(m.type, 'User');
		assert.ok(m.$ref.endsWith(`/Users/${m.value}`), m.$ref);
		assert.equal(m.display, u.displayName);
	}
	assert.equal(g.meta.resourceType, 'Group');
	assert.ok(g.meta.location.endsWith(`/Groups/${g.id}`), g.meta.location);
}

async function getUser(r, id) {
	return ok(await r.http('GET', `/Users/${id}`));
}

async function getGroup(r, id) {
	return ok(await r.http('GET', `/Groups/${id}`));
}

/* PATCH /Groups answers 204 with the new ETag; the group is then read back */
async function patchGroup(r, id, body) {
	const res = await r.http('PATCH', `/Groups/${id}`, body);
	assert.equal(res.status, 204, `204 expected: ${res.status} ${res.text.slice(0, 400)}`);
	assert.equal(res.text, '');
	const g = await getGroup(r, id);
	assert.equal(res.headers.etag, g.meta.version);
	return g;
}

async function findUser(r, userName) {
	return assertListResponse(await r.http('GET', `/Users${qs({ filter: eqFilter('userName', userName) })}`));
}

/* =====================================================================
 * Authentication and the SCIM door (TestSCIMUser.test_bad_authentication,
 * TestNonSCIMAPIAccess, test_post_to_try_creating_new_user_on_different_subdomain)
 * ===================================================================== */

scenario('auth: no Authorization header is a 401 with a SCIM Error body (Zulip: empty body)', async (r) => {
	const res = await r.http('GET', `/Users/${r.users.hamlet.id}`, undefined, { token: null });
	assertScimError(res, 401);
	assert.match(String(res.headers['www-authenticate']), /^Bearer/, 'WWW-Authenticate: Bearer (Zulip: Basic)');
});

scenario('auth: a wrong bearer token is a 401 with a SCIM Error body', async (r) => {
	const res = await r.http('GET', `/Users/${r.users.hamlet.id}`, undefined, { token: 'wrong' });
	assertScimError(res, 401);
	assert.ok(!res.text.includes(r.users.hamlet.userName));
});

scenario('auth: the token of another organization sees nothing of this one', async (r) => {
	const other = r.foreign();
	/* creating "on a different subdomain": the user lands in the token's organization only */
	const created = ok(await r.http('POST', '/Users', newUserBody(), { token: other.token }), 201);
	assertScimError(await r.http('GET', `/Users/${created.id}`), 404);
	assertScimError(await r.http('GET', `/Users/${r.users.hamlet.id}`, undefined, { token: other.token }), 404);
	assertListResponse(await r.http('GET', `/Users${qs({ filter: eqFilter('userName', 'newuser@zulip.com') })}`),
		{ total: 0 });
});

scenario('auth: the SCIM token opens nothing outside /scim/v2 (TestNonSCIMAPIAccess)', async (r) => {
	const origin = new URL(BASE_URL).origin;
	const api = await r.http('GET', `${origin}/api/v1/users/${r.users.hamlet.id}`);
	assert.equal(api.status, 404);
	assert.ok(!api.text.includes(r.users.hamlet.userName));
	const rpc = await r.http('POST', `${origin}/rpc/handle`, {});
	assert.equal(rpc.status, 404, 'PostgREST is not reachable around nginx');
});

/* =====================================================================
 * Reading users (test_get_by_id, test_get_basic_filter_by_username[...],
 * test_get_all_with_pagination, test_get_user_with_no_name_formatted_included_config,
 * test_search_users)
 * ===================================================================== */

scenario('users: GET by id returns the User with its role and meta', async (r) => {
	const u = await getUser(r, r.users.hamlet.id);
	assertUserShape(u, {
		id: r.users.hamlet.id, userName: 'hamlet@zulip.com', formatted: 'King Hamlet',
		displayName: 'King Hamlet', role: 'member', active: true,
	});
	const d = await getUser(r, r.users.desdemona.id);
	assert.equal(d.role, 'owner');
});

scenario('users: filter userName eq finds the user, not a user of another organization', async (r) => {
	const b = await findUser(r, 'hamlet@zulip.com');
	assert.equal(b.totalResults, 1);
	assertUserShape(b.Resources[0], { id: r.users.hamlet.id, userName: 'hamlet@zulip.com' });
	r.foreign();
	const other = await findUser(r, 'starnine@mit.edu');
	assert.equal(other.totalResults, 0);
	assert.deepEqual(other.Resources, []);
});

scenario('users: filter userName eq is case-insensitive', async (r) => {
	const b = await findUser(r, 'HAMLET@ZULIP.COM');
	assert.equal(b.totalResults, 1);
	assert.equal(b.Resources[0].id, r.users.hamlet.id);
	assert.equal(b.Resources[0].userName, 'hamlet@zulip.com');
});

scenario('users: listing pages with startIndex=4&count=3 (stable order, same total)', async (r) => {
	const all = assertListResponse(await r.http('GET', '/Users'), { total: CAST.length, startIndex: 1 });
	assert.deepEqual(all.Resources.map((u) => u.userName), CAST.map(([, email]) => email),
		'users come in creation order');
	const page = assertListResponse(await r.http('GET', '/Users?startIndex=4&count=3'),
		{ total: CAST.length, startIndex: 4, itemsPerPage: 3 });
	assert.deepEqual(page.Resources, all.Resources.slice(3, 6));
});

scenario('users: both name forms are returned (Zulip needs a realm switch for given/family)', async (r) => {
	const u = ok(await r.http('POST', '/Users', userBody('fl@zulip.com', { name: { formatted: 'Firstname Lastname' } })), 201);
	assert.deepEqual(u.name, { formatted: 'Firstname Lastname', givenName: 'Firstname', familyName: 'Lastname' });
	const one = ok(await r.http('POST', '/Users', userBody('fo@zulip.com', { name: { formatted: 'Firstnameonly' } })), 201);
	assert.deepEqual(one.name, { formatted: 'Firstnameonly', givenName: 'Firstnameonly' },
		'no empty familyName is made up (Zulip answers familyName "")');
});

scenario('users: POST /Users/.search with userName ew', async (r) => {
	const res = await r.http('POST', '/Users/.search', { schemas: [SEARCH_URN], filter: 'userName ew "@zulip.com"' });
	const b = assertListResponse(res, { total: CAST.length });
	assert.deepEqual(b.Resources.map((u) => u.id), CAST.map(([k]) => r.users[k].id));
});

scenario('users: .search needs the SearchRequest schema (400)', async (r) => {
	assertScimError(await r.http('POST', '/Users/.search', { schemas: [USER_URN], filter: 'userName ew "@zulip.com"' }),
		400, 'invalidSyntax');
});

scenario('users: filters on attributes Zulip does not map still work or fail cleanly', async (r) => {
	/* Zulip drops unmapped attributes silently (a filter on externalId matches everything it can) */
	ok(await r.http('PUT', `/Users/${r.users.hamlet.id}`, userBody('hamlet@zulip.com',
		{ externalId: 'okta-hamlet', name: { formatted: 'King Hamlet' }, role: 'member' })));
	const b = assertListResponse(await r.http('GET', `/Users${qs({ filter: 'externalId eq "okta-hamlet"' })}`), { total: 1 });
	assert.equal(b.Resources[0].id, r.users.hamlet.id);
	assertListResponse(await r.http('GET', `/Users${qs({ filter: 'name.formatted eq "Iago"' })}`), { total: 1 });
	assertListResponse(await r.http('GET', `/Users${qs({ filter: 'active eq true' })}`), { total: CAST.length });
	assertScimError(await r.http('GET', `/Users${qs({ filter: 'userName eq' })}`), 400, 'invalidFilter');
});

scenario('users: paging parameters: startIndex 0 counts as 1 (Zulip: 400), non-integers are 400', async (r) => {
	assertListResponse(await r.http('GET', '/Users?startIndex=0&count=2'), { startIndex: 1, itemsPerPage: 2 });
	assertScimError(await r.http('GET', '/Users?count=abc'), 400, 'invalidValue');
	assertScimError(await r.http('GET', '/Users?startIndex=x'), 400, 'invalidValue');
	const past = assertListResponse(await r.http('GET', '/Users?startIndex=100'), { total: CAST.length });
	assert.deepEqual(past.Resources, []);
});

/* =====================================================================
 * Creating users (test_post, test_post_with_role, test_post_create_guest_user_without_streams,
 * test_post_with_no_name_formatted_included_config, test_post_email_exists,
 * test_post_name_attribute_missing, test_post_active_set_to_false, ...)
 * ===================================================================== */

scenario('users: POST creates a member with the formatted name (201, Location)', async (r) => {
	const before = r.userCount();
	const res = await r.http('POST', '/Users', newUserBody());
	const u = ok(res, 201);
	assertUserShape(u, { userName: 'newuser@zulip.com', formatted: 'New User', displayName: 'New User', role: 'member', active: true });
	assert.equal(res.headers.location, u.meta.location);
	assert.equal(r.userCount(), before + 1);
	assert.deepEqual(await getUser(r, u.id), u);
});

scenario('users: POST with an unknown role is a 400 listing the roles; administrator works', async (r) => {
	const before = r.userCount();
	const bad = await r.http('POST', '/Users', newUserBody({ role: 'wrongrole' }));
	assertScimError(bad, 400, 'invalidValue');
	assert.ok(bad.body.detail.includes('wrongrole') && bad.body.detail.includes(ROLES), bad.body.detail);
	assert.equal(r.userCount(), before, 'nothing was created');
	const u = ok(await r.http('POST', '/Users', newUserBody({ role: 'administrator' })), 201);
	assert.equal(u.role, 'administrator');
});

scenario('users: POST with role guest (and owner: SCIM may create owners)', async (r) => {
	assert.equal(ok(await r.http('POST', '/Users', newUserBody({ role: 'guest' })), 201).role, 'guest');
	assert.equal(ok(await r.http('POST', '/Users', userBody('boss@zulip.com',
		{ name: { formatted: 'Boss' }, role: 'owner' })), 201).role, 'owner');
});

scenario('users: POST with givenName/familyName only gets the full name "New User"', async (r) => {
	const u = ok(await r.http('POST', '/Users', userBody('newuser@zulip.com',
		{ name: { givenName: 'New', familyName: 'User' }, active: true })), 201);
	assert.equal(u.name.formatted, 'New User');
	assert.equal(u.displayName, 'New User');
	assert.equal(u.name.givenName, 'New');
	assert.equal(u.name.familyName, 'User');
});

scenario('users: POST of an email in use is a 409 uniqueness, in any letter case', async (r) => {
	const before = r.userCount();
	for (const email of ['hamlet@zulip.com', 'Hamlet@Zulip.COM']) {
		const res = await r.http('POST', '/Users', newUserBody({ userName: email }));
		assertScimError(res, 409, 'uniqueness');
		assert.ok(res.body.detail.includes(email), res.body.detail);
	}
	assert.equal(r.userCount(), before);
});

scenario('users: POST without a name: 400 in the preset (require_name), 201 by default', async (r, zulip) => {
	const res = await r.http('POST', '/Users', userBody('newuser@zulip.com', { active: true }));
	if (zulip) {
		assertScimError(res, 400, 'invalidValue');
		assert.match(res.body.detail, /name/);
		assertListResponse(await r.http('GET', `/Users${qs({ filter: eqFilter('userName', 'newuser@zulip.com') })}`), { total: 0 });
	} else {
		const u = ok(res, 201);
		assert.equal(u.name, undefined);
		assert.equal(u.displayName, 'newuser@zulip.com', 'displayName falls back to userName');
	}
});

scenario('users: POST with a blank name ("  " or {}): 400 in the preset, 201 by default', async (r, zulip) => {
	const bodies = [
		userBody('b1@zulip.com', { name: { givenName: '  ', familyName: '' } }),
		userBody('b2@zulip.com', { name: { formatted: '' } }),
		userBody('b3@zulip.com', { name: {} }),
	];
	for (const body of bodies) {
		const res = await r.http('POST', '/Users', body);
		if (zulip)
			assertScimError(res, 400, 'invalidValue');
		else
			ok(res, 201);
	}
});

scenario('users: POST with active false: 400 in the preset (users are created active), 201 inactive by default', async (r, zulip) => {
	const res = await r.http('POST', '/Users', newUserBody({ active: false }));
	if (zulip) {
		assertScimError(res, 400, 'invalidValue');
		assert.match(res.body.detail, /active/);
	} else
		assert.equal(ok(res, 201).active, false);
	/* leaving active out creates an active user in both */
	const body = newUserBody({ userName: 'other@zulip.com' });
	delete body.active;
	assert.equal(ok(await r.http('POST', '/Users', body), 201).active, true);
});

scenario('users: userName must be an email in the preset (400 invalidValue), anything goes by default', async (r, zulip) => {
	for (const userName of ['newuser', 'newuser@', '@zulip.com', 'new user@zulip.com', 'a@b@zulip.com', 'newuser@zulip']) {
		const res = await r.http('POST', '/Users', newUserBody({ userName }));
		if (zulip) {
			assertScimError(res, 400, 'invalidValue');
			assert.match(res.body.detail, /email/, userName);
		} else
			assert.equal(ok(res, 201).userName, userName);
	}
});

scenario('users: POST without userName is a 400 (Zulip: 500)', async (r) => {
	const body = newUserBody();
	delete body.userName;
	assertScimError(await r.http('POST', '/Users', body), 400, 'invalidValue');
	assertScimError(await r.http('POST', '/Users', newUserBody({ userName: 42 })), 400);
});

scenario('users: POST with a non-boolean active is a 400', async (r) => {
	assertScimError(await r.http('POST', '/Users', newUserBody({ active: 'yes' })), 400, 'invalidValue');
});

scenario('users: empty and malformed bodies are a 400 invalidSyntax', async (r) => {
	assertScimError(await r.http('POST', '/Users', '', { raw: true }), 400, 'invalidSyntax');
	assertScimError(await r.http('POST', '/Users', '{"userName": ', { raw: true }), 400, 'invalidSyntax');
	assertScimError(await r.http('POST', '/Users', '[1, 2]', { raw: true }), 400, 'invalidSyntax');
});

scenario('users: re-creating a deactivated user is a 409, never an implicit reactivation', async (r) => {
	ok(await r.http('PATCH', `/Users/${r.users.hamlet.id}`, ops({ op: 'replace', path: 'active', value: false })));
	for (const email of ['hamlet@zulip.com', 'HAMLET@zulip.com'])
		assertScimError(await r.http('POST', '/Users', newUserBody({ userName: email })), 409, 'uniqueness');
	const b = await findUser(r, 'hamlet@zulip.com');
	assert.equal(b.totalResults, 1, 'the IdP finds the deactivated user by filter');
	assert.equal(b.Resources[0].active, false, 'and it stays deactivated');
	assert.equal(b.Resources[0].name.formatted, 'King Hamlet');
});

scenario('users: attributes outside the schema are refused, standard ones are kept (Zulip ignores both)', async (r) => {
	/* Zulip's test_no_custom_profile_field_map_ignores_extra_attrs sends a top-level
	 * "phoneNumber"; here unknown attributes are a clean 400 and custom
	 * attributes need a schema extension */
	const res = await r.http('POST', '/Users', newUserBody({ phoneNumber: '123456789' }));
	assertScimError(res, 400, 'invalidSyntax');
	assert.match(res.body.detail, /phoneNumber/);
	const u = ok(await r.http('POST', '/Users', newUserBody({
		externalId: '00u1', phoneNumbers: [{ value: '123456789', type: 'work' }],
	})), 201);
	assert.equal(u.externalId, '00u1');
	assert.deepEqual(u.phoneNumbers, [{ value: '123456789', type: 'work' }]);
});

scenario('users: role must be one of the tenant\'s roles, overridable per tenant', async (r) => {
	r.configure({ roles: ['member', 'guest'] });
	const res = await r.http('POST', '/Users', newUserBody({ role: 'moderator' }));
	assertScimError(res, 400, 'invalidValue');
	assert.ok(res.body.detail.includes('member, guest'), res.body.detail);
	assert.equal(ok(await r.http('POST', '/Users', newUserBody()), 201).role, 'member');
	assert.equal(ok(await r.http('POST', '/Users', newUserBody({ userName: 'g@zulip.com', role: 'guest' })), 201).role, 'guest');
});

scenario('users: the default role is member, and a tenant may choose another (Zulip cannot)', async (r) => {
	assert.equal(ok(await r.http('POST', '/Users', newUserBody()), 201).role, 'member');
	r.configure({ default_role: 'guest' });
	assert.equal(ok(await r.http('POST', '/Users', newUserBody({ userName: 'g@zulip.com' })), 201).role, 'guest');
	assert.equal(ok(await r.http('POST', '/Users', newUserBody({ userName: 'm@zulip.com', role: 'member' })), 201).role, 'member');
	/* the default must be one of the roles */
	assert.throws(() => r.configure({ default_role: 'emperor' }), /not one of the tenant's roles/);
});

/* =====================================================================
 * Deleting users (test_delete)
 * ===================================================================== */

scenario('users: DELETE is refused in the preset (400: use active), deletes by default (204)', async (r, zulip) => {
	const id = r.users.hamlet.id;
	const res = await r.http('DELETE', `/Users/${id}`);
	if (zulip) {
		assertScimError(res, 400, null);
		assert.match(res.body.detail, /active/);
		const u = await getUser(r, id);
		assert.equal(u.active, true, 'the user is untouched');
		assert.equal(u.userName, 'hamlet@zulip.com');
	} else {
		assert.equal(res.status, 204, res.text);
		assert.equal(res.text, '');
		assertScimError(await r.http('GET', `/Users/${id}`), 404);
		/* the userName is free again */
		ok(await r.http('POST', '/Users', newUserBody({ userName: 'hamlet@zulip.com' })), 201);
	}
});

scenario('users: DELETE of an unknown id is a 404 in both', async (r) => {
	assertScimError(await r.http('DELETE', '/Users/987654321'), 404);
	assertScimError(await r.http('DELETE', '/Users/00000000-0000-4000-8000-000000000000'), 404);
});

scenario('users: user_delete is a setting of its own: deactivate', async (r) => {
	r.configure({ user_delete: 'deactivate' });
	const res = await r.http('DELETE', `/Users/${r.users.hamlet.id}`);
	assert.equal(res.status, 204, res.text);
	assert.equal((await getUser(r, r.users.hamlet.id)).active, false);
});

/* =====================================================================
 * Replacing users (test_put_change_email_and_name, test_put_change_name_only,
 * test_put_email_exists, test_put_change_user_role, test_put_deactivate_reactivate_user)
 * ===================================================================== */

const BARBARA = { formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'Barbara', middleName: 'Jane' };

scenario('users: PUT changes email and name', async (r) => {
	const id = r.users.hamlet.id;
	const u = ok(await r.http('PUT', `/Users/${id}`, userBody('bjensen@zulip.com', { id, name: BARBARA })));
	assertUserShape(u, { id, userName: 'bjensen@zulip.com', formatted: 'Ms. Barbara J Jensen III' });
	assert.deepEqual(u.name, BARBARA);
	assert.deepEqual(await getUser(r, id), u);
});

scenario('users: PUT with the same email changes only the name', async (r) => {
	const id = r.users.hamlet.id;
	const u = ok(await r.http('PUT', `/Users/${id}`, userBody('hamlet@zulip.com', { id, name: BARBARA })));
	assert.equal(u.userName, 'hamlet@zulip.com');
	assert.equal(u.name.formatted, 'Ms. Barbara J Jensen III');
	assert.equal(u.role, 'member');
});

scenario('users: PUT to another user\'s email is a 409 uniqueness, nothing changes', async (r) => {
	const id = r.users.hamlet.id;
	const before = await getUser(r, id);
	const res = await r.http('PUT', `/Users/${id}`, userBody('cordelia@zulip.com', { id, name: BARBARA }));
	assertScimError(res, 409, 'uniqueness');
	assert.deepEqual(await getUser(r, id), before);
});

scenario('users: PUT of userName and role: merge keeps the name (preset), replace clears it (RFC)', async (r, zulip) => {
	const id = r.users.hamlet.id;
	const u = ok(await r.http('PUT', `/Users/${id}`, userBody('hamlet@zulip.com', { id, role: 'administrator' })));
	assert.equal(u.role, 'administrator');
	if (zulip) {
		assert.equal(u.name.formatted, 'King Hamlet', 'put_mode merge: an omitted name is kept');
		assert.equal(u.displayName, 'King Hamlet');
	} else {
		assert.equal(u.name, undefined, 'put_mode replace: an omitted name is cleared');
		assert.equal(u.displayName, 'hamlet@zulip.com');
	}
});

scenario('users: PUT with active false then true deactivates and reactivates', async (r, zulip) => {
	const id = r.users.hamlet.id;
	const payload = userBody('hamlet@zulip.com', { id, active: false });
	const off = ok(await r.http('PUT', `/Users/${id}`, payload));
	assert.equal(off.active, false);
	assert.equal(off.role, 'member', 'role is kept when omitted, in both modes');
	payload.active = true;
	const on = ok(await r.http('PUT', `/Users/${id}`, payload));
	assert.equal(on.active, true);
	assert.equal(on.name?.formatted, zulip ? 'King Hamlet' : undefined);
});

scenario('users: PUT without role never demotes, without active never reactivates', async (r) => {
	const id = r.users.iago.id;
	ok(await r.http('PATCH', `/Users/${id}`, ops({ op: 'replace', path: 'active', value: false })));
	const u = ok(await r.http('PUT', `/Users/${id}`, userBody('iago@zulip.com', { name: { formatted: 'Iago' } })));
	assert.equal(u.role, 'administrator');
	assert.equal(u.active, false);
});

scenario('users: PUT without userName is a 400 (Zulip: 500)', async (r) => {
	const id = r.users.hamlet.id;
	assertScimError(await r.http('PUT', `/Users/${id}`, { schemas: [USER_URN], active: false }), 400, 'invalidValue');
	assert.equal((await getUser(r, id)).active, true);
});

scenario('users: PUT to a non-email userName: 400 in the preset, 200 by default', async (r, zulip) => {
	const id = r.users.hamlet.id;
	const res = await r.http('PUT', `/Users/${id}`, userBody('hamlet', { name: { formatted: 'King Hamlet' } }));
	if (zulip) {
		assertScimError(res, 400, 'invalidValue');
		assert.equal((await getUser(r, id)).userName, 'hamlet@zulip.com');
	} else
		assert.equal(ok(res).userName, 'hamlet');
});

scenario('users: PUT of the own email in another case is accepted (Zulip: 409 on itself)', async (r) => {
	const id = r.users.hamlet.id;
	const u = ok(await r.http('PUT', `/Users/${id}`, userBody('Hamlet@Zulip.com', { name: { formatted: 'King Hamlet' } })));
	assert.equal(u.userName, 'Hamlet@Zulip.com');
});

scenario('users: PUT is atomic: a bad role leaves the new name unwritten (Zulip applies the name first)', async (r) => {
	const id = r.users.hamlet.id;
	const before = await getUser(r, id);
	const res = await r.http('PUT', `/Users/${id}`, userBody('hamlet_new@zulip.com', { name: BARBARA, active: false, role: 'wrongrole' }));
	assertScimError(res, 400, 'invalidValue');
	assert.deepEqual(await getUser(r, id), before);
});

scenario('users: PUT ignores id and read-only echoes (Okta sends id, meta, groups)', async (r) => {
	const id = r.users.hamlet.id;
	const u = ok(await r.http('PUT', `/Users/${id}`, userBody('hamlet@zulip.com', {
		id: '12', name: { formatted: 'King Hamlet' }, groups: [],
		meta: { resourceType: 'User', created: '2011-08-01T18:29:49.793Z' },
	})));
	assert.equal(u.id, id);
	assert.notEqual(u.meta.created, '2011-08-01T18:29:49.793Z');
});

/* =====================================================================
 * Patching users (test_patch_with_path, test_patch_without_path,
 * test_patch_change_user_role, test_patch_deactivate_reactivate_user,
 * test_patch_unsupported_attribute)
 * ===================================================================== */

scenario('users: PATCH replace userName with a path, then userName and name.formatted together', async (r) => {
	const id = r.users.hamlet.id;
	let u = ok(await r.http('PATCH', `/Users/${id}`, ops({ op: 'replace', path: 'userName', value: 'hamlet_new@zulip.com' })));
	assert.equal(u.userName, 'hamlet_new@zulip.com');
	u = ok(await r.http('PATCH', `/Users/${id}`, ops(
		{ op: 'replace', path: 'userName', value: 'hamlet_new2@zulip.com' },
		{ op: 'replace', path: 'name.formatted', value: 'New Name' })));
	assertUserShape(u, { userName: 'hamlet_new2@zulip.com', formatted: 'New Name' });
	assert.deepEqual(await getUser(r, id), u);
});

scenario('users: PATCH without a path (Okta\'s value object)', async (r) => {
	const id = r.users.hamlet.id;
	const u = ok(await r.http('PATCH', `/Users/${id}`, ops({ op: 'replace', value: { userName: 'hamlet_new@zulip.com' } })));
	assert.equal(u.userName, 'hamlet_new@zulip.com');
	const off = ok(await r.http('PATCH', `/Users/${id}`, ops({ op: 'replace', value: { active: false } })));
	assert.equal(off.active, false);
});

scenario('users: PATCH role to administrator; an unknown role is a 400 listing the roles', async (r) => {
	const id = r.users.hamlet.id;
	assert.equal(ok(await r.http('PATCH', `/Users/${id}`, ops({ op: 'replace', path: 'role', value: 'administrator' }))).role,
		'administrator');
	const bad = await r.http('PATCH', `/Users/${id}`, ops({ op: 'replace', path: 'role', value: 'wrongrole' }));
	assertScimError(bad, 400, 'invalidValue');
	assert.ok(bad.body.detail.includes(ROLES), bad.body.detail);
	assert.equal((await getUser(r, id)).role, 'administrator');
});

scenario('users: PATCH active false then true', async (r) => {
	const id = r.users.hamlet.id;
	assert.equal(ok(await r.http('PATCH', `/Users/${id}`, ops({ op: 'replace', path: 'active', value: false }))).active, false);
	assert.equal((await getUser(r, id)).active, false);
	assert.equal(ok(await r.http('PATCH', `/Users/${id}`, ops({ op: 'replace', path: 'active', value: true }))).active, true);
});

scenario('users: PATCH name.middleName works (Zulip: 501 Not Implemented)', async (r) => {
	const u = ok(await r.http('PATCH', `/Users/${r.users.hamlet.id}`, ops({ op: 'replace', path: 'name.middleName', value: 'John' })));
	assert.equal(u.name.middleName, 'John');
	assert.equal(u.name.formatted, 'King Hamlet');
});

scenario('users: PATCH with a schema-qualified role path works (Zulip: 501, issue #39773)', async (r) => {
	const u = ok(await r.http('PATCH', `/Users/${r.users.hamlet.id}`,
		ops({ op: 'Replace', path: `${USER_URN}:role`, value: 'moderator' })));
	assert.equal(u.role, 'moderator');
});

scenario('users: PATCH add and remove work on users (Zulip: 501)', async (r) => {
	const id = r.users.hamlet.id;
	assert.equal(ok(await r.http('PATCH', `/Users/${id}`, ops({ op: 'add', path: 'title', value: 'Prince' }))).title, 'Prince');
	assert.equal(ok(await r.http('PATCH', `/Users/${id}`, ops({ op: 'remove', path: 'title' }))).title, undefined);
});

scenario('users: PATCH ops are case-insensitive; unknown ops and empty Operations are 400', async (r) => {
	const id = r.users.hamlet.id;
	assert.equal(ok(await r.http('PATCH', `/Users/${id}`, ops({ op: 'REPLACE', path: 'active', value: false }))).active, false);
	assertScimError(await r.http('PATCH', `/Users/${id}`, ops({ op: 'frob', path: 'active', value: true })), 400, 'invalidSyntax');
	assertScimError(await r.http('PATCH', `/Users/${id}`, ops()), 400, 'invalidSyntax');
});

scenario('users: PATCH is atomic: a 409 in the second operation undoes the first', async (r) => {
	const id = r.users.hamlet.id;
	const before = await getUser(r, id);
	const res = await r.http('PATCH', `/Users/${id}`, ops(
		{ op: 'replace', path: 'name.formatted', value: 'Not Written' },
		{ op: 'replace', path: 'userName', value: 'CORDELIA@zulip.com' }));
	assertScimError(res, 409, 'uniqueness');
	assert.deepEqual(await getUser(r, id), before);
});

scenario('users: PATCH userName to a non-email: 400 in the preset, 200 by default', async (r, zulip) => {
	const res = await r.http('PATCH', `/Users/${r.users.hamlet.id}`, ops({ op: 'replace', path: 'userName', value: 'hamlet' }));
	if (zulip)
		assertScimError(res, 400, 'invalidValue');
	else
		assert.equal(ok(res).userName, 'hamlet');
});

scenario('users: Entra\'s string booleans ("False") deactivate, also without a path (Zulip: 500)', async (r) => {
	const id = r.users.hamlet.id;
	assert.equal(ok(await r.http('PATCH', `/Users/${id}`, ops({ op: 'Replace', value: { active: 'False' } }))).active, false);
	assert.equal(ok(await r.http('PATCH', `/Users/${id}`, ops({ op: 'Replace', path: 'active', value: 'True' }))).active, true);
	assertScimError(await r.http('PATCH', `/Users/${id}`, ops({ op: 'replace', path: 'active', value: 'maybe' })), 400, 'invalidValue');
});

/* =====================================================================
 * Deactivated users
 * ===================================================================== */

scenario('users: a deactivated user stays readable, filterable and listed', async (r) => {
	const id = r.users.hamlet.id;
	ok(await r.http('PATCH', `/Users/${id}`, ops({ op: 'replace', path: 'active', value: false })));
	assert.equal((await getUser(r, id)).active, false);
	assert.equal((await findUser(r, 'hamlet@zulip.com')).Resources[0].active, false);
	const all = assertListResponse(await r.http('GET', '/Users'), { total: CAST.length });
	assert.ok(all.Resources.some((u) => u.id === id && u.active === false));
	assertListResponse(await r.http('GET', `/Users${qs({ filter: 'active eq false' })}`), { total: 1 });
});

scenario('users: the last active owner cannot be deactivated or demoted (protect_last_owner; Zulip has no guard)', async (r) => {
	const id = r.users.desdemona.id;
	assertScimError(await r.http('PATCH', `/Users/${id}`, ops({ op: 'replace', path: 'active', value: false })), 400, 'mutability');
	assertScimError(await r.http('PATCH', `/Users/${id}`, ops({ op: 'replace', path: 'role', value: 'member' })), 400, 'mutability');
	r.configure({ protect_last_owner: false });
	assert.equal(ok(await r.http('PATCH', `/Users/${id}`, ops({ op: 'replace', path: 'role', value: 'member' }))).role, 'member');
});

/* =====================================================================
 * Groups: reading (TestSCIMGroup.test_get_by_id, test_get_basic_filter_by_display_name,
 * test_get_all_with_pagination)
 * ===================================================================== */

scenario('groups: GET by id shows the direct user members, deactivated ones hidden', async (r) => {
	const { hamlet, desdemona } = r.users;
	const gid = r.appGroup('Test group', ['hamlet', 'desdemona', 'othello']);
	ok(await r.http('PATCH', `/Users/${r.users.othello.id}`, ops({ op: 'replace', path: 'active', value: false })));
	const g = await getGroup(r, gid);
	assertGroupShape(g, 'Test group', [hamlet, desdemona]);
});

scenario('groups: filter displayName eq finds the group; gone after DELETE', async (r) => {
	const gid = r.appGroup('Test group', ['hamlet']);
	const b = assertListResponse(await r.http('GET', `/Groups${qs({ filter: eqFilter('displayName', 'Test group') })}`), { total: 1 });
	assertGroupShape(b.Resources[0], 'Test group', [r.users.hamlet]);
	assert.equal((await r.http('DELETE', `/Groups/${gid}`)).status, 204);
	const after = assertListResponse(await r.http('GET', `/Groups${qs({ filter: eqFilter('displayName', 'Test group') })}`), { total: 0 });
	assert.deepEqual(after.Resources, []);
});

scenario('groups: listing includes system groups and pages with startIndex=4&count=3', async (r) => {
	r.systemGroups();
	r.appGroup('Test group', ['hamlet']);
	const total = SYSTEM_GROUPS.length + 1;
	const all = assertListResponse(await r.http('GET', '/Groups'), { total });
	assert.deepEqual(all.Resources.map((g) => g.displayName), [...SYSTEM_GROUPS.map(([n]) => n), 'Test group']);
	const page = assertListResponse(await r.http('GET', '/Groups?startIndex=4&count=3'), { total, startIndex: 4, itemsPerPage: 3 });
	assert.deepEqual(page.Resources, all.Resources.slice(3, 6));
});

scenario('groups: subgroups never appear among members (role:moderators holds role:administrators)', async (r) => {
	const sys = r.systemGroups();
	const mods = await getGroup(r, sys['role:moderators']);
	assert.deepEqual(mods.members, []);
	assert.equal(r.dbMembers(sys['role:moderators']).length, 1, 'the subgroup link exists');
	assertGroupShape(await getGroup(r, sys['role:owners']), 'role:owners', [r.users.desdemona]);
});

scenario('groups: an unknown or non-UUID group id is a 404 (Zulip: 500 for non-numeric ids)', async (r) => {
	assertScimError(await r.http('GET', '/Groups/987654321'), 404);
	assertScimError(await r.http('GET', '/Groups/not-a-number'), 404);
	assertScimError(await r.http('GET', '/Users/not-a-number'), 404);
	assertScimError(await r.http('PATCH', '/Groups/abc', ops({ op: 'replace', path: 'displayName', value: 'x' })), 404);
});

/* =====================================================================
 * Groups: creating (test_post, test_cant_edit_system_groups)
 * ===================================================================== */

scenario('groups: POST without members, then with members', async (r) => {
	const before = r.groupCount();
	const g1 = ok(await r.http('POST', '/Groups', groupBody('New group without members', [])), 201);
	assertGroupShape(g1, 'New group without members', []);
	const res = await r.http('POST', '/Groups', groupBody('New group with members', refs(r.users.hamlet)));
	const g2 = ok(res, 201);
	assertGroupShape(g2, 'New group with members', [r.users.hamlet]);
	assert.equal(res.headers.location, g2.meta.location);
	assert.equal(r.groupCount(), before + 2);
	assert.deepEqual(await getGroup(r, g2.id), g2);
});

scenario('groups: a name in use is a 409 uniqueness (also in another case: Zulip compares exactly)', async (r) => {
	ok(await r.http('POST', '/Groups', groupBody('New group with members', refs(r.users.hamlet))), 201);
	const before = r.groupCount();
	for (const name of ['New group with members', 'NEW GROUP WITH MEMBERS']) {
		const res = await r.http('POST', '/Groups', groupBody(name, refs(r.users.hamlet)));
		assertScimError(res, 409, 'uniqueness');
		assert.ok(res.body.detail.includes(name), res.body.detail);
	}
	r.appGroup('Made in the app');
	assertScimError(await r.http('POST', '/Groups', groupBody('Made in the app')), 409, 'uniqueness');
	assert.equal(r.groupCount(), before + 1);
});

scenario('groups: blank names are a 400 in both', async (r) => {
	for (const name of ['', '   ', '\t'])
		assertScimError(await r.http('POST', '/Groups', groupBody(name)), 400, 'invalidValue');
});

scenario('groups: names over 100 characters: 400 in the preset (max_group_name_length), 201 by default', async (r, zulip) => {
	ok(await r.http('POST', '/Groups', groupBody('x'.repeat(100))), 201);
	ok(await r.http('POST', '/Groups', groupBody('é'.repeat(100))), 201);	/* characters, not bytes */
	const res = await r.http('POST', '/Groups', groupBody('y'.repeat(101)));
	if (zulip) {
		assertScimError(res, 400, 'invalidValue');
		assert.match(res.body.detail, /100/);
	} else
		ok(res, 201);
});

scenario('groups: reserved prefixes @ role: user: stream: channel: are a 400 in the preset', async (r, zulip) => {
	for (const name of ['@everyone', 'role:doesntexistyet', 'user:42', 'stream:general', 'channel:general', 'ROLE:upper']) {
		const res = await r.http('POST', '/Groups', groupBody(name, []));
		if (zulip) {
			assertScimError(res, 400, 'invalidValue');
			assert.match(res.body.detail, /may not start with/, name);
		} else
			ok(res, 201);
	}
	/* a prefix in the middle is fine */
	ok(await r.http('POST', '/Groups', groupBody('my role: admin')), 201);
});

scenario('groups: the name of a system group: 400 by its prefix in the preset, 409 by default', async (r, zulip) => {
	r.systemGroups();
	const before = r.groupCount();
	const res = await r.http('POST', '/Groups', groupBody('role:owners', []));
	if (zulip)
		assertScimError(res, 400, 'invalidValue');
	else
		assertScimError(res, 409, 'uniqueness');
	assert.equal(r.groupCount(), before);
});

scenario('groups: POST without displayName is a 400 (Zulip: 500)', async (r) => {
	assertScimError(await r.http('POST', '/Groups', { schemas: [GROUP_URN], members: [] }), 400, 'invalidValue');
});

scenario('groups: member lists of only unknown ids are a 400, nothing created (Zulip: 500)', async (r) => {
	const before = r.groupCount();
	for (const members of [[{ value: '987654321' }], [{ value: '00000000-0000-4000-8000-000000000000' }], [{ value: r.foreign().user.id }]]) {
		const res = await r.http('POST', '/Groups', groupBody('G', members));
		assertScimError(res, 400, 'invalidValue');
	}
	assert.equal(r.groupCount(), before);
});

/* =====================================================================
 * Groups: replacing (test_put_change_name_and_members)
 * ===================================================================== */

scenario('groups: PUT renames and sets the exact member list', async (r) => {
	const { hamlet, othello } = r.users;
	const gid = r.appGroup('Test group', ['hamlet', 'desdemona']);
	const g = ok(await r.http('PUT', `/Groups/${gid}`, { ...groupBody('New test group name', refs(hamlet, othello)), id: gid }));
	assertGroupShape(g, 'New test group name', [hamlet, othello]);
	assert.deepEqual(await getGroup(r, gid), g);
});

scenario('groups: PUT to the name of another group is a 409, nothing changes', async (r) => {
	const gid = r.appGroup('Test group', ['hamlet', 'desdemona']);
	r.appGroup('Conflicting group', ['hamlet']);
	const before = await getGroup(r, gid);
	const res = await r.http('PUT', `/Groups/${gid}`, groupBody('Conflicting group', refs(r.users.hamlet, r.users.othello)));
	assertScimError(res, 409, 'uniqueness');
	assert.deepEqual(await getGroup(r, gid), before, 'neither the name nor the members changed');
});

scenario('groups: PUT with an empty member list: kept in the preset (merge), cleared by default', async (r, zulip) => {
	const { hamlet, desdemona } = r.users;
	const gid = r.appGroup('Test group', ['hamlet', 'desdemona']);
	const g = ok(await r.http('PUT', `/Groups/${gid}`, groupBody('Test group', [])));
	assert.deepEqual(memberIds(g), zulip ? sorted(hamlet, desdemona) : []);
});

scenario('groups: PUT without members: kept in the preset (merge), cleared by default', async (r, zulip) => {
	const { hamlet, desdemona } = r.users;
	const gid = r.appGroup('Test group', ['hamlet', 'desdemona']);
	const g = ok(await r.http('PUT', `/Groups/${gid}`, groupBody('Renamed')));
	assert.equal(g.displayName, 'Renamed');
	assert.deepEqual(memberIds(g), zulip ? sorted(hamlet, desdemona) : []);
});

scenario('groups: subgroup links survive PUT and PATCH replacement of the members', async (r) => {
	const parent = r.appGroup('Parent', ['hamlet']);
	const child = r.appGroup('Child', ['cordelia']);
	r.link(parent, child);
	ok(await r.http('PUT', `/Groups/${parent}`, groupBody('Parent', refs(r.users.othello))));
	assert.ok(r.dbMembers(parent).includes(child), 'the link survived PUT');
	const g = (await patchGroup(r, parent, ops({ op: 'replace', path: 'members', value: [] })));
	assert.deepEqual(g.members, []);
	assert.deepEqual(r.dbMembers(parent), [child], 'the link survived PATCH replace');
});

/* =====================================================================
 * Groups: patching (test_patch_add_remove_operations, test_patch_remove_operation_with_complex_path,
 * test_patch_replace_operation, test_patch_add_user_wrong_realm, test_patch_add_invalid_user_id)
 * ===================================================================== */

scenario('groups: PATCH add ignores users already in the group', async (r) => {
	const { hamlet, desdemona, othello, cordelia } = r.users;
	const gid = r.appGroup('Test group', ['hamlet', 'desdemona']);
	const g = (await patchGroup(r, gid, ops({ op: 'add', path: 'members', value: refs(othello, cordelia, desdemona) })));
	assertGroupShape(g, 'Test group', [hamlet, desdemona, othello, cordelia]);
});

scenario('groups: PATCH remove with a value list removes only those, ignoring non-members', async (r) => {
	const { hamlet, desdemona, othello, cordelia, iago } = r.users;
	const gid = r.appGroup('Test group', ['hamlet', 'desdemona', 'othello', 'cordelia']);
	const g = (await patchGroup(r, gid, ops({ op: 'remove', path: 'members', value: refs(othello, cordelia, iago) })));
	assertGroupShape(g, 'Test group', [hamlet, desdemona]);
});

scenario('groups: PATCH add, remove, add in one request', async (r) => {
	const { hamlet, desdemona, othello, cordelia } = r.users;
	const gid = r.appGroup('Test group', ['hamlet', 'desdemona']);
	const g = (await patchGroup(r, gid, ops(
		{ op: 'add', path: 'members', value: refs(othello, cordelia) },
		{ op: 'remove', path: 'members', value: refs(desdemona, hamlet) },
		{ op: 'add', path: 'members', value: refs(hamlet) })));
	assertGroupShape(g, 'Test group', [hamlet, othello, cordelia]);
});

scenario('groups: PATCH remove with Okta\'s members[value eq "id"] path', async (r) => {
	const { hamlet, desdemona } = r.users;
	const gid = r.appGroup('Test group', ['hamlet', 'desdemona']);
	const g = (await patchGroup(r, gid, ops({ op: 'remove', path: `members[value eq "${hamlet.id}"]` })));
	assertGroupShape(g, 'Test group', [desdemona]);
});

scenario('groups: PATCH replace displayName, then members (exact set, [] clears)', async (r) => {
	const { hamlet, desdemona, othello } = r.users;
	const gid = r.appGroup('Test group', ['hamlet', 'desdemona']);
	let g = (await patchGroup(r, gid, ops({ op: 'replace', path: 'displayName', value: 'New test group name' })));
	assertGroupShape(g, 'New test group name', [hamlet, desdemona]);
	g = (await patchGroup(r, gid, ops({ op: 'replace', path: 'members', value: refs(hamlet, othello) })));
	assertGroupShape(g, 'New test group name', [hamlet, othello]);
	g = (await patchGroup(r, gid, ops({ op: 'replace', path: 'members', value: [] })));
	assertGroupShape(g, 'New test group name', []);
});

scenario('groups: PATCH replace without a path: {id, displayName}, then {displayName, members}', async (r) => {
	const { hamlet, desdemona, othello } = r.users;
	const gid = r.appGroup('Test group', ['hamlet', 'desdemona']);
	let g = (await patchGroup(r, gid, ops({ op: 'replace', value: { id: gid, displayName: 'New test group name 2' } })));
	assertGroupShape(g, 'New test group name 2', [hamlet, desdemona]);
	g = (await patchGroup(r, gid, ops({
		op: 'replace', value: { id: gid, displayName: 'New test group name 3', members: refs(hamlet, othello, desdemona) },
	})));
	assertGroupShape(g, 'New test group name 3', [hamlet, othello, desdemona]);
});

scenario('groups: PATCH replace without a path and another group\'s id is a 400', async (r) => {
	const gid = r.appGroup('Test group', ['hamlet']);
	const other = r.appGroup('Other group');
	assertScimError(await r.http('PATCH', `/Groups/${gid}`, ops({ op: 'replace', value: { id: other, displayName: 'X' } })), 400);
	assert.equal((await getGroup(r, gid)).displayName, 'Test group');
});

scenario('groups: PATCH add of a user of another organization is a 400, nothing changes', async (r) => {
	const { hamlet, desdemona, othello } = r.users;
	const mit = r.foreign().user;
	const gid = r.appGroup('Test group', ['hamlet', 'desdemona']);
	for (const value of [[{ value: othello.id }, { value: mit.id }], [{ value: mit.id }]]) {
		const res = await r.http('PATCH', `/Groups/${gid}`, ops({ op: 'add', path: 'members', value }));
		assertScimError(res, 400, 'invalidValue');
		assert.ok(res.body.detail.includes(mit.id), res.body.detail);
	}
	assertGroupShape(await getGroup(r, gid), 'Test group', [hamlet, desdemona]);
});

scenario('groups: PATCH add of an id that is no user is a 400, nothing changes', async (r) => {
	const { hamlet, desdemona, othello } = r.users;
	const gid = r.appGroup('Test group', ['hamlet', 'desdemona']);
	const res = await r.http('PATCH', `/Groups/${gid}`, ops({ op: 'add', path: 'members', value: [{ value: othello.id }, { value: '987654321' }] }));
	assertScimError(res, 400, 'invalidValue');
	assert.ok(res.body.detail.includes('987654321'), res.body.detail);
	assertGroupShape(await getGroup(r, gid), 'Test group', [hamlet, desdemona]);
});

scenario('groups: PATCH is atomic: a failing later operation undoes the earlier ones', async (r) => {
	const { hamlet, desdemona, othello } = r.users;
	const gid = r.appGroup('Test group', ['hamlet', 'desdemona']);
	const res = await r.http('PATCH', `/Groups/${gid}`, ops(
		{ op: 'replace', path: 'displayName', value: 'Renamed' },
		{ op: 'add', path: 'members', value: refs(othello) },
		{ op: 'remove', path: 'members', value: refs(hamlet) },
		{ op: 'replace', path: 'displayName', value: 'role:nope' },
		{ op: 'add', path: 'members', value: [{ value: '987654321' }] }));
	assertScimError(res, 400, 'invalidValue');
	assertGroupShape(await getGroup(r, gid), 'Test group', [hamlet, desdemona]);
});

scenario('groups: PATCH ops are case-insensitive (Entra\'s Add / Remove)', async (r) => {
	const { hamlet, othello } = r.users;
	const gid = r.appGroup('Test group', ['hamlet']);
	let g = (await patchGroup(r, gid, ops({ op: 'Add', path: 'members', value: [{ $ref: null, value: othello.id }] })));
	assertGroupShape(g, 'Test group', [hamlet, othello]);
	g = (await patchGroup(r, gid, ops({ op: 'Remove', path: 'members', value: refs(hamlet) })));
	assertGroupShape(g, 'Test group', [othello]);
});

scenario('groups: PATCH rename to a reserved or too long name: 400 in the preset only', async (r, zulip) => {
	const gid = r.appGroup('Test group', ['hamlet']);
	for (const value of ['stream:general', 'z'.repeat(101)]) {
		const res = await r.http('PATCH', `/Groups/${gid}`, ops({ op: 'replace', path: 'displayName', value }));
		if (zulip)
			assertScimError(res, 400, 'invalidValue');
		else {
			assert.equal(res.status, 204, res.text);
			assert.equal((await getGroup(r, gid)).displayName, value);
		}
	}
});

/* =====================================================================
 * Deactivated members
 * ===================================================================== */

scenario('groups: deactivated users vanish from members and return on reactivation', async (r) => {
	const { hamlet, desdemona } = r.users;
	const gid = r.appGroup('Test group', ['hamlet', 'desdemona']);
	ok(await r.http('PATCH', `/Users/${hamlet.id}`, ops({ op: 'replace', path: 'active', value: false })));
	assertGroupShape(await getGroup(r, gid), 'Test group', [desdemona]);
	const b = assertListResponse(await r.http('GET', `/Groups${qs({ filter: eqFilter('displayName', 'Test group') })}`), { total: 1 });
	assert.deepEqual(memberIds(b.Resources[0]), [desdemona.id]);
	ok(await r.http('PATCH', `/Users/${hamlet.id}`, ops({ op: 'replace', path: 'active', value: true })));
	assertGroupShape(await getGroup(r, gid), 'Test group', [hamlet, desdemona]);
});

scenario('groups: a deactivated member survives a membership replacement and returns', async (r) => {
	const { hamlet, desdemona, othello } = r.users;
	const gid = r.appGroup('Test group', ['hamlet', 'desdemona']);
	ok(await r.http('PUT', `/Users/${hamlet.id}`, userBody('hamlet@zulip.com', { name: { formatted: 'King Hamlet' }, active: false })));
	ok(await r.http('PUT', `/Groups/${gid}`, groupBody('Test group', refs(othello))));
	assertGroupShape(await getGroup(r, gid), 'Test group', [othello]);
	ok(await r.http('PATCH', `/Users/${hamlet.id}`, ops({ op: 'replace', value: { active: true } })));
	assertGroupShape(await getGroup(r, gid), 'Test group', [hamlet, othello]);
	void desdemona;
});

scenario('groups: list_deactivated_members is a setting of its own', async (r) => {
	const { hamlet, desdemona } = r.users;
	const gid = r.appGroup('Test group', ['hamlet', 'desdemona']);
	ok(await r.http('PATCH', `/Users/${hamlet.id}`, ops({ op: 'replace', path: 'active', value: false })));
	r.configure({ list_deactivated_members: true });
	assert.deepEqual(memberIds(await getGroup(r, gid)), sorted(hamlet, desdemona));
});

/* =====================================================================
 * System groups (test_cant_edit_system_groups)
 * ===================================================================== */

scenario('groups: system groups are read-only: PATCH, PUT and DELETE are 400, nothing changes', async (r) => {
	const sys = r.systemGroups();
	const gid = sys['role:owners'];
	const before = await getGroup(r, gid);
	for (const res of [
		await r.http('PATCH', `/Groups/${gid}`, ops({ op: 'replace', path: 'displayName', value: 'New test group name' })),
		await r.http('PATCH', `/Groups/${gid}`, ops({ op: 'add', path: 'members', value: refs(r.users.hamlet) })),
		await r.http('PUT', `/Groups/${gid}`, groupBody('role:owners', refs(r.users.hamlet))),
		await r.http('DELETE', `/Groups/${gid}`),
	]) {
		assertScimError(res, 400, 'mutability');
		assert.match(res.body.detail, /role:owners/);
	}
	assert.deepEqual(await getGroup(r, gid), before);
});

scenario('groups: app groups are writable unless scim_may_modify_app_groups is off', async (r) => {
	const gid = r.appGroup('Test group', ['hamlet']);
	(await patchGroup(r, gid, ops({ op: 'add', path: 'members', value: refs(r.users.othello) })));
	r.configure({ scim_may_modify_app_groups: false });
	assertScimError(await r.http('PATCH', `/Groups/${gid}`, ops({ op: 'add', path: 'members', value: refs(r.users.iago) })), 400, 'mutability');
});

/* =====================================================================
 * Endpoints Zulip leaves out (test_endpoints_disabled, TestSCIMGroup.test_delete,
 * TestRemainingUnsupportedSCIMFeatures)
 * ===================================================================== */

scenario('groups: DELETE removes a group (Zulip: 501); group_delete reject refuses it', async (r) => {
	const gid = r.appGroup('Test group', ['hamlet']);
	const res = await r.http('DELETE', `/Groups/${gid}`);
	assert.equal(res.status, 204, res.text);
	assertScimError(await r.http('GET', `/Groups/${gid}`), 404);
	assert.equal((await getUser(r, r.users.hamlet.id)).active, true, 'members are untouched');
	const keep = r.appGroup('Kept', ['hamlet']);
	r.configure({ group_delete: 'reject' });
	assertScimError(await r.http('DELETE', `/Groups/${keep}`), 400, null);
	await getGroup(r, keep);
});

scenario('groups: POST /Groups/.search works (Zulip: 501)', async (r) => {
	r.appGroup('Test group', ['hamlet']);
	const b = assertListResponse(await r.http('POST', '/Groups/.search',
		{ schemas: [SEARCH_URN], filter: eqFilter('displayName', 'Test group') }), { total: 1 });
	assert.equal(b.Resources[0].displayName, 'Test group');
});

scenario('discovery: /ServiceProviderConfig, /Schemas, /ResourceTypes answer 200 (Zulip: 501)', async (r) => {
	const spc = ok(await r.http('GET', '/ServiceProviderConfig'));
	assert.equal(spc.patch.supported, true);
	const schemas = assertListResponse(await r.http('GET', '/Schemas'));
	assert.ok(schemas.Resources.some((s) => s.id === USER_URN));
	assert.ok(schemas.Resources.some((s) => s.id === GROUP_URN));
	const types = assertListResponse(await r.http('GET', '/ResourceTypes'));
	assert.deepEqual(types.Resources.map((t) => t.name).sort(), ['Group', 'User']);
});

scenario('bulk: /Bulk works and applies the tenant\'s rules per operation (Zulip: 501)', async (r, zulip) => {
	const res = await r.http('POST', '/Bulk', {
		schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
		Operations: [
			{ method: 'POST', path: '/Users', bulkId: 'plain', data: userBody('plain-name', { name: { formatted: 'Plain' } }) },
			{ method: 'POST', path: '/Users', bulkId: 'mail', data: userBody('newuser@zulip.com', { name: { formatted: 'New User' } }) },
			{ method: 'DELETE', path: `/Users/${r.users.hamlet.id}` },
		],
	});
	const b = ok(res);
	assert.deepEqual(b.Operations.map((o) => o.status), zulip ? ['400', '201', '400'] : ['201', '201', '204']);
	if (zulip)
		assert.equal(b.Operations[0].response.scimType, 'invalidValue');
});

scenario('unsupported: /Me is a 501 with a SCIM Error body (Zulip: empty body), after authentication', async (r) => {
	assertScimError(await r.http('GET', '/Me'), 501, null);
	assertScimError(await r.http('GET', '/Me', undefined, { token: null }), 401);
});

scenario('unsupported: the root is a SCIM 404; POST /.search searches users and groups (Zulip: 501)', async (r) => {
	assertScimError(await r.http('GET', '/'), 404);
	r.appGroup('Test group', ['hamlet']);
	const b = assertListResponse(await r.http('POST', '/.search', { schemas: [SEARCH_URN], filter: 'displayName pr' }));
	assert.ok(b.Resources.some((x) => x.displayName === 'Test group'), 'the group is found');
	assert.ok(b.Resources.some((x) => x.id === r.users.hamlet.id), 'and so are users');
});

scenario('errors: "status" is a string, the body is application/scim+json (Zulip: a number)', async (r) => {
	const res = await r.http('GET', '/Users/987654321');
	assertScimError(res, 404);
	assert.deepEqual(res.body.schemas, [ERROR_URN]);
	assert.equal(res.body.status, '404');
});

scenario('errors: unknown query parameters are ignored (Entra\'s ?aadOptscim062020)', async (r) => {
	const b = assertListResponse(await r.http('GET',
		`/Users${qs([['aadOptscim062020', null], ['filter', eqFilter('userName', 'iago@zulip.com')]])}`), { total: 1 });
	assert.equal(b.Resources[0].id, r.users.iago.id);
	assert.equal(b.schemas[0], LIST_URN);
});

/* =====================================================================
 * The preset as a whole: switched at once, overridable one by one
 * ===================================================================== */

scenario('preset: tenant_configure switches every rule at once, in either direction', async (r, zulip) => {
	/* flip the tenant to the other profile and check three rules on the next request */
	r.configure({ preset: zulip ? 'none' : 'zulip' });
	const nowZulip = !zulip;
	const res = await r.http('POST', '/Users', userBody('plain-name'));
	if (nowZulip)
		assertScimError(res, 400, 'invalidValue');
	else
		ok(res, 201);
	const del = await r.http('DELETE', `/Users/${r.users.hamlet.id}`);
	assert.equal(del.status, nowZulip ? 400 : 204, del.text);
	const grp = await r.http('POST', '/Groups', groupBody('channel:x'));
	assert.equal(grp.status, nowZulip ? 400 : 201, grp.text);
});

scenario('preset: each rule stays overridable on its own', async (r, zulip) => {
	if (zulip) {
		/* the preset without the email rule: names are still required */
		r.configure({ username_is_email: false });
		ok(await r.http('POST', '/Users', userBody('plain-name', { name: { formatted: 'Plain' } })), 201);
		assertScimError(await r.http('POST', '/Users', userBody('plain-two')), 400, 'invalidValue');
		/* and with RFC deletes */
		r.configure({ user_delete: 'delete' });
		assert.equal((await r.http('DELETE', `/Users/${r.users.hamlet.id}`)).status, 204);
	} else {
		/* one Zulip rule on an RFC tenant: only that rule applies */
		r.configure({ username_is_email: true });
		assertScimError(await r.http('POST', '/Users', userBody('plain-name', { name: { formatted: 'Plain' } })), 400, 'invalidValue');
		ok(await r.http('POST', '/Users', userBody('noname@zulip.com')), 201);
		r.configure({ max_group_name_length: 5 });
		assertScimError(await r.http('POST', '/Groups', groupBody('sixsix')), 400, 'invalidValue');
		ok(await r.http('POST', '/Groups', groupBody('five5')), 201);
	}
});

scenario('preset: tenant_configure reports the effective settings of the profile', async (r, zulip) => {
	const s = r.configure({});
	const expected = zulip
		? { preset: 'zulip', username_is_email: true, require_name: true, allow_create_inactive: false, put_mode: 'merge',
			user_delete: 'reject', list_deactivated_members: false, max_group_name_length: 100,
			reserved_group_prefixes: ['@', 'role:', 'user:', 'stream:', 'channel:'] }
		: { preset: 'none', username_is_email: false, require_name: false, allow_create_inactive: true, put_mode: 'replace',
			user_delete: 'delete', list_deactivated_members: false, max_group_name_length: 0, reserved_group_prefixes: [] };
	for (const [k, v] of Object.entries(expected))
		assert.deepEqual(s[k], v, k);
	assert.equal(s.default_role, 'member');
	assert.deepEqual(s.roles, ['owner', 'administrator', 'moderator', 'member', 'guest']);
});

test(`the suite replays at least 60 scenarios against both tenants (${scenarios})`, () => {
	assert.ok(scenarios >= 60, `${scenarios} scenarios`);
});
