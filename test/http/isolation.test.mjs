// test/http/isolation.test.mjs - one tenant cannot reach another
// (docs/security.md): tenant B's token cannot read, list, filter, search,
// replace, patch, delete or reference tenant A's users and groups, through
// single requests, .search or Bulk.  Always 404 (or 400 invalidValue for a
// reference), never 403 and never 409, so that B learns nothing about what A
// has; A's rows are read back unchanged after every attempt.

import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';

import {
	scim, sql, lit, uniq, newTenant, qs, randomGuid, assertScimError, assertListResponse,
	USER_URN, GROUP_URN, PATCH_URN, SEARCH_URN, BULK_REQUEST_URN,
} from './lib.mjs';

const patchOp = (...ops) => ({ schemas: [PATCH_URN], Operations: ops });
const user = (userName, extra = {}) => ({ schemas: [USER_URN], userName, ...extra });
const group = (displayName, extra = {}) => ({ schemas: [GROUP_URN], displayName, ...extra });

const fx = {};
const A = (o = {}) => ({ token: fx.a.token, ...o });
const B = (o = {}) => ({ token: fx.b.token, ...o });

/* every row of tenant A, digested (token last_used excluded) */
function snapshotA() {
	const t = lit(fx.a.tenant);
	return sql(`SELECT md5(coalesce(string_agg(x, '|' ORDER BY x), '')) FROM (
		SELECT 'u' || id || version || user_name || active || coalesce(external_id, '') || attrs::text FROM scim.users WHERE tenant_id = ${t}
		UNION ALL SELECT 'g' || id || version || display_name || attrs::text FROM scim.groups WHERE tenant_id = ${t}
		UNION ALL SELECT 'm' || group_id || member_id FROM scim.members WHERE tenant_id = ${t}
		UNION ALL SELECT 's' || settings::text FROM scim.tenants WHERE tenant_id = ${t}
		UNION ALL SELECT 'x' || urn FROM scim.schema_extensions WHERE tenant_id = ${t}
		UNION ALL SELECT 'e' || count(*) FROM scim.events WHERE tenant_id = ${t}) AS s(x)`);
}

/* A, read back through A's own token: as it was */
async function assertAUnchanged(before) {
	assert.equal(snapshotA(), before, 'no row of tenant A changed');
	const u = await scim('GET', `/Users/${fx.u1.id}`, A());
	assert.equal(u.status, 200);
	assert.equal(u.body.meta.version, fx.u1Version, 'A\'s user kept its version');
	assert.equal(u.body.active, true);
	const g = await scim('GET', `/Groups/${fx.g1.id}`, A());
	assert.equal(g.status, 200);
	assert.equal(g.body.meta.version, fx.g1Version, 'A\'s group kept its version');
	assert.deepEqual((g.body.members ?? []).map((m) => m.value).sort(), [fx.u1.id, fx.u2.id].sort());
}

/* a cross-tenant answer: never 403 (existence would leak), never 5xx */
function assertNotForbidden(res) {
	assert.notEqual(res.status, 403, `never 403: ${res.text.slice(0, 200)}`);
	assert.ok(res.status < 500, `never 5xx: ${res.status} ${res.text.slice(0, 200)}`);
}

/* the 404 of A's id must read exactly like the 404 of an id nobody has */
async function assertSame404(method, path, id, o = {}) {
	const theirs = await scim(method, path.replace(':id', id), B(o));
	const nobody = randomGuid();
	const none = await scim(method, path.replace(':id', nobody), B(o));
	assertNotForbidden(theirs);
	assertScimError(theirs, 404, null);
	assertScimError(none, 404, null);
	assert.equal(theirs.body.detail.replaceAll(id, 'ID'), none.body.detail.replaceAll(nobody, 'ID'),
		'the same detail as for an id that does not exist');
	assert.deepEqual(Object.keys(theirs.headers).filter((h) => !['date', 'content-length'].includes(h)).sort(),
		Object.keys(none.headers).filter((h) => !['date', 'content-length'].includes(h)).sort(), 'the same headers');
}

/* isolation(name, fn): fn runs B's attempt; A must be unchanged afterwards */
function isolation(name, fn) {
	test(name, async () => {
		const before = snapshotA();
		await fn();
		await assertAUnchanged(before);
	});
}

before(async () => {
	fx.a = newTenant({ max_results: 7 });
	fx.b = newTenant();
	const mk = async (path, body, o) => {
		const r = await scim('POST', path, { ...o, body });
		assert.equal(r.status, 201, `fixture ${path}: ${r.text.slice(0, 200)}`);
		return r.body;
	};
	fx.u1 = await mk('/Users', user(`${uniq('iso-a')}@a.test`, {
		externalId: uniq('iso-ext'), emails: [{ value: `${uniq('iso-mail')}@a.test`, type: 'work', primary: true }],
	}), A());
	fx.u2 = await mk('/Users', user(`${uniq('iso-a')}@a.test`), A());
	fx.g1 = await mk('/Groups', group(uniq('iso-ga'), { externalId: uniq('iso-gext'), members: [{ value: fx.u1.id }, { value: fx.u2.id }] }), A());
	fx.ub = await mk('/Users', user(`${uniq('iso-b')}@b.test`), B());
	fx.gb = await mk('/Groups', group(uniq('iso-gb')), B());
	// a custom schema only A has
	fx.urn = `urn:ietf:params:scim:schemas:extension:${uniq('isoext').replace(/[^a-zA-Z0-9]/g, '')}:2.0:User`;
	sql(`SELECT scim.schema_extension_add(${lit(fx.a.tenant)}, ${lit(fx.urn)},
		'[{"name": "badge", "type": "string"}]'::jsonb)`);
	fx.u1 = (await scim('GET', `/Users/${fx.u1.id}`, A())).body;
	fx.u1Version = fx.u1.meta.version;
	fx.g1Version = (await scim('GET', `/Groups/${fx.g1.id}`, A())).body.meta.version;
});

describe('isolation: reading another tenant\'s resources', () => {
	isolation('GET of A\'s user is the 404 of an id nobody has', () => assertSame404('GET', '/Users/:id', fx.u1.id));
	isolation('GET of A\'s group is the 404 of an id nobody has', () => assertSame404('GET', '/Groups/:id', fx.g1.id));
	isolation('GET of A\'s user in upper case is 404 too', async () => {
		assertScimError(await scim('GET', `/Users/${fx.u1.id.toUpperCase()}`, B()), 404, null);
	});
	isolation('GET with If-None-Match of A\'s version is 404, not 304', async () => {
		const res = await scim('GET', `/Users/${fx.u1.id}`, B({ headers: { 'if-none-match': fx.u1Version } }));
		assertScimError(res, 404, null);
	});
	isolation('GET of A\'s group without members is 404', async () => {
		assertScimError(await scim('GET', `/Groups/${fx.g1.id}?excludedAttributes=members`, B()), 404, null);
	});
	isolation('listing users shows B\'s only', async () => {
		const list = assertListResponse(await scim('GET', '/Users?count=1000', B()));
		assert.deepEqual(list.Resources.map((r) => r.id), [fx.ub.id]);
		assert.equal(list.totalResults, 1);
	});
	isolation('listing groups shows B\'s only', async () => {
		const list = assertListResponse(await scim('GET', '/Groups', B()));
		assert.deepEqual(list.Resources.map((r) => r.id), [fx.gb.id]);
	});
	isolation('the root .search shows B\'s users and groups only', async () => {
		const list = assertListResponse(await scim('POST', '/.search', B({ body: { schemas: [SEARCH_URN] } })));
		assert.deepEqual(list.Resources.map((r) => r.id).sort(), [fx.ub.id, fx.gb.id].sort());
	});
});

describe('isolation: filtering for another tenant\'s resources finds nothing', () => {
	const none = async (endpoint, filter) => {
		const res = await scim('GET', `${endpoint}${qs({ filter })}`, B());
		assertNotForbidden(res);
		assertListResponse(res, { total: 0 });
	};
	isolation('userName eq A\'s userName (any case)', () => none('/Users', `userName eq "${fx.u1.userName.toUpperCase()}"`));
	isolation('externalId eq A\'s externalId', () => none('/Users', `externalId eq "${fx.u1.externalId}"`));
	isolation('id eq A\'s id', () => none('/Users', `id eq "${fx.u1.id}"`));
	isolation('emails eq A\'s address', () => none('/Users', `emails eq "${fx.u1.emails[0].value}"`));
	isolation('emails[type eq "work" and value eq A\'s address]', () => none('/Users', `emails[type eq "work" and value eq "${fx.u1.emails[0].value}"]`));
	isolation('userName sw A\'s prefix', () => none('/Users', `userName sw "${fx.u1.userName.slice(0, 12)}"`));
	isolation('an "or" over A\'s identifiers', () => none('/Users', `id eq "${fx.u1.id}" or userName eq "${fx.u2.userName}" or externalId eq "${fx.u1.externalId}"`));
	isolation('groups: displayName eq A\'s group', () => none('/Groups', `displayName eq "${fx.g1.displayName}"`));
	isolation('groups: externalId eq A\'s group', () => none('/Groups', `externalId eq "${fx.g1.externalId}"`));
	isolation('groups: members.value eq A\'s user', () => none('/Groups', `members.value eq "${fx.u1.id}"`));
	isolation('users: groups.value eq A\'s group', () => none('/Users', `groups.value eq "${fx.g1.id}"`));
	isolation('a catch-all filter counts B\'s user only', async () => {
		const list = assertListResponse(await scim('GET', `/Users${qs({ filter: 'userName pr or not (userName pr)' })}`, B()));
		assert.equal(list.totalResults, 1);
	});
	isolation('meta.lastModified gt 1970 counts B\'s user only', async () => {
		const list = assertListResponse(await scim('GET', `/Users${qs({ filter: 'meta.lastModified gt "1970-01-01T00:00:00Z"' })}`, B()));
		assert.equal(list.totalResults, 1);
	});
	isolation('POST /Users/.search for A\'s userName', async () => {
		assertListResponse(await scim('POST', '/Users/.search', B({ body: { schemas: [SEARCH_URN], filter: `userName eq "${fx.u1.userName}"` } })), { total: 0 });
	});
	isolation('A\'s custom schema does not exist for B', async () => {
		assertScimError(await scim('GET', `/Schemas/${fx.urn}`, B()), 404, null);
		const schemas = await scim('GET', '/Schemas', B());
		assert.ok(!JSON.stringify(schemas.body).includes(fx.urn), 'not listed in B\'s /Schemas');
		const types = await scim('GET', '/ResourceTypes/User', B());
		assert.ok(!JSON.stringify(types.body).includes(fx.urn), 'not an extension of B\'s User');
	});
	isolation('a filter on A\'s custom attribute is as unknown as any other', async () => {
		const res = await scim('GET', `/Users${qs({ filter: `${fx.urn}:badge eq "x"` })}`, B());
		const other = await scim('GET', `/Users${qs({ filter: 'urn:ietf:params:scim:schemas:extension:nobody:2.0:User:badge eq "x"' })}`, B());
		assertNotForbidden(res);
		assert.equal(res.status, other.status);
		assert.equal(res.body.scimType, other.body.scimType);
	});
	isolation('B\'s ServiceProviderConfig shows B\'s settings, not A\'s', async () => {
		const spc = await scim('GET', '/ServiceProviderConfig', B());
		assert.equal(spc.status, 200);
		assert.notEqual(spc.body.filter.maxResults, 7, 'A\'s max_results is 7');
	});
});

describe('isolation: writing another tenant\'s resources is 404', () => {
	isolation('PUT A\'s user', () => assertSame404('PUT', '/Users/:id', fx.u1.id, { body: user(fx.u1.userName, { active: false }) }));
	isolation('PATCH A\'s user (deactivate)', () => assertSame404('PATCH', '/Users/:id', fx.u1.id, { body: patchOp({ op: 'replace', value: { active: false } }) }));
	isolation('DELETE A\'s user', () => assertSame404('DELETE', '/Users/:id', fx.u1.id));
	isolation('PUT A\'s group', () => assertSame404('PUT', '/Groups/:id', fx.g1.id, { body: group('taken over', { members: [] }) }));
	isolation('PATCH A\'s group (remove all members)', () => assertSame404('PATCH', '/Groups/:id', fx.g1.id, { body: patchOp({ op: 'remove', path: 'members' }) }));
	isolation('PATCH A\'s group (add B\'s user)', () => assertSame404('PATCH', '/Groups/:id', fx.g1.id, { body: patchOp({ op: 'add', path: 'members', value: [{ value: fx.ub.id }] }) }));
	isolation('DELETE A\'s group', () => assertSame404('DELETE', '/Groups/:id', fx.g1.id));
	isolation('PATCH A\'s user with A\'s exact If-Match is 404, not 412', async () => {
		const res = await scim('PATCH', `/Users/${fx.u1.id}`, B({ body: patchOp({ op: 'replace', path: 'title', value: 'x' }), headers: { 'if-match': fx.u1Version } }));
		assertScimError(res, 404, null);
	});
	isolation('DELETE A\'s user with a stale If-Match is 404, not 412', async () => {
		const res = await scim('DELETE', `/Users/${fx.u1.id}`, B({ headers: { 'if-match': 'W/"999"' } }));
		assertScimError(res, 404, null);
	});
});

describe('isolation: referencing another tenant\'s resources is invalidValue', () => {
	const refused = async (res) => {
		assertNotForbidden(res);
		assertScimError(res, 400, 'invalidValue');
		const gb = await scim('GET', `/Groups/${fx.gb.id}`, B());
		assert.deepEqual(gb.body.members ?? [], [], 'B\'s group has no member');
	};
	isolation('PATCH add A\'s user to B\'s group', async () => refused(await scim('PATCH', `/Groups/${fx.gb.id}`, B({ body: patchOp({ op: 'add', path: 'members', value: [{ value: fx.u1.id }] }) }))));
	isolation('PATCH add A\'s group to B\'s group', async () => refused(await scim('PATCH', `/Groups/${fx.gb.id}`, B({ body: patchOp({ op: 'add', path: 'members', value: [{ value: fx.g1.id, type: 'Group' }] }) }))));
	isolation('PATCH replace B\'s members with A\'s users', async () => refused(await scim('PATCH', `/Groups/${fx.gb.id}`, B({ body: patchOp({ op: 'replace', path: 'members', value: [{ value: fx.u1.id }, { value: fx.u2.id }] }) }))));
	isolation('PATCH add B\'s own user and A\'s user together: neither is added', async () => refused(await scim('PATCH', `/Groups/${fx.gb.id}`, B({ body: patchOp({ op: 'add', path: 'members', value: [{ value: fx.ub.id }, { value: fx.u1.id }] }) }))));
	isolation('POST a group holding A\'s user', async () => {
		const res = await scim('POST', '/Groups', B({ body: group(uniq('iso-x'), { members: [{ value: fx.u1.id }] }) }));
		assertScimError(res, 400, 'invalidValue');
		assertListResponse(await scim('GET', '/Groups', B()), { total: 1 });
	});
	isolation('PUT B\'s group holding A\'s user', async () => refused(await scim('PUT', `/Groups/${fx.gb.id}`, B({ body: group(fx.gb.displayName, { members: [{ value: fx.u1.id }] }) }))));
	isolation('removing A\'s user from B\'s group finds nothing to remove', async () => {
		const res = await scim('PATCH', `/Groups/${fx.gb.id}`, B({ body: patchOp({ op: 'remove', path: `members[value eq "${fx.u1.id}"]` }) }));
		assertNotForbidden(res);
		assert.ok(res.status === 200 || res.status === 204, `${res.status} ${res.text.slice(0, 200)}`);
	});
});

describe('isolation: uniqueness is per tenant (a 409 would leak what A has)', () => {
	isolation('B may create a user with A\'s userName, externalId and email', async () => {
		const res = await scim('POST', '/Users', B({ body: user(fx.u1.userName, { externalId: fx.u1.externalId, emails: fx.u1.emails }) }));
		assert.equal(res.status, 201, res.text.slice(0, 200));
		assert.notEqual(res.body.id, fx.u1.id);
		assert.equal((await scim('DELETE', `/Users/${res.body.id}`, B())).status, 204);
	});
	isolation('B may create a group with A\'s displayName', async () => {
		const res = await scim('POST', '/Groups', B({ body: group(fx.g1.displayName) }));
		assert.equal(res.status, 201, res.text.slice(0, 200));
		assert.equal((await scim('DELETE', `/Groups/${res.body.id}`, B())).status, 204);
	});
	isolation('B renaming its user to A\'s userName is allowed', async () => {
		const res = await scim('PATCH', `/Users/${fx.ub.id}`, B({ body: patchOp({ op: 'replace', path: 'userName', value: fx.u2.userName }) }));
		assert.equal(res.status, 200, res.text.slice(0, 200));
		fx.ub = res.body;
	});
});

describe('isolation: Bulk cannot cross tenants either', () => {
	isolation('B\'s Bulk on A\'s ids: every operation 404 or 400, none applied', async () => {
		const res = await scim('POST', '/Bulk', B({ body: { schemas: [BULK_REQUEST_URN], Operations: [
			{ method: 'DELETE', path: `/Users/${fx.u1.id}` },
			{ method: 'PUT', path: `/Users/${fx.u2.id}`, data: user(fx.u2.userName, { active: false }) },
			{ method: 'PATCH', path: `/Groups/${fx.g1.id}`, data: patchOp({ op: 'remove', path: 'members' }) },
			{ method: 'DELETE', path: `/Groups/${fx.g1.id}` },
			{ method: 'POST', path: '/Groups', bulkId: 'g', data: group(uniq('iso-bulk'), { members: [{ value: fx.u1.id }] }) },
			{ method: 'PATCH', path: `/Groups/${fx.gb.id}`, data: patchOp({ op: 'add', path: 'members', value: [{ value: fx.u2.id }] }) },
		] } }));
		assert.equal(res.status, 200, res.text.slice(0, 300));
		assert.deepEqual(res.body.Operations.map((o) => o.status), ['404', '404', '404', '404', '400', '400']);
		assert.ok(!res.body.Operations.some((o) => o.status === '403'));
	});
});

describe('isolation: tokens and the change feed are per tenant', () => {
	isolation('B\'s activity never shows in A\'s change feed', async () => {
		const before = Number(sql(`SELECT count(*) FROM scim.events WHERE tenant_id = ${lit(fx.a.tenant)}`));
		const u = await scim('POST', '/Users', B({ body: user(`${uniq('iso-feed')}@b.test`) }));
		assert.equal(u.status, 201);
		assert.equal(Number(sql(`SELECT count(*) FROM scim.events WHERE tenant_id = ${lit(fx.a.tenant)}`)), before);
		assert.equal(sql(`SELECT tenant_id FROM scim.events WHERE resource_id = ${lit(u.body.id)} LIMIT 1`), fx.b.tenant);
	});
	isolation('revoking a token of B leaves A\'s token working', async () => {
		const extra = sql(`SELECT scim.token_issue(${lit(fx.b.tenant)}, ${lit(uniq('iso-tok'))})`);
		assert.equal((await scim('GET', '/Users', { token: extra })).status, 200);
		sql(`SELECT scim.token_revoke(${lit(fx.b.tenant)}, label) FROM scim.tokens WHERE token_hash = sha256(convert_to(${lit(extra)}, 'UTF8'))`);
		assertScimError(await scim('GET', '/Users', { token: extra }), 401, null);
		assert.equal((await scim('GET', '/Users', A())).status, 200);
		assert.equal((await scim('GET', '/Users', B())).status, 200);
	});
	isolation('A\'s token cannot see B\'s user either (both directions)', async () => {
		assertScimError(await scim('GET', `/Users/${fx.ub.id}`, A()), 404, null);
		const list = assertListResponse(await scim('GET', '/Users', A()));
		assert.ok(!list.Resources.some((r) => r.id === fx.ub.id));
	});
});
