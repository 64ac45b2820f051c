// test/http/auth.test.mjs - authentication (RFC 7644 §2; docs/okta.md and
// docs/entra.md, step 4) and tenant isolation (T8, docs/conformance.md): every failure is a 401 SCIM
// Error with WWW-Authenticate, and a second tenant's token sees 404s and
// empty lists.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';

import {
	scim, sql, lit, uniq, newTenant, newToken, create, getOk, qs, eqFilter, randomGuid,
	assertScimError, assertListResponse, userResource, groupResource, TOKEN, PATCH_URN,
} from './lib.mjs';

/* a 401 as RFC 7644 §3.12 and §2 want it */
function assert401(res) {
	assertScimError(res, 401);
	const wa = res.headers['www-authenticate'];
	assert.ok(wa && /bearer/i.test(wa), `WWW-Authenticate naming Bearer: ${wa}`);
}

/* a request with exactly this Authorization header value (null: none) */
function withAuth(authorization, method = 'GET', path = '/Users', body) {
	const o = { token: null, headers: { authorization } };
	if (body !== undefined)
		o.body = body;
	return scim(method, path, o);
}

describe('auth: failures are 401 SCIM Errors with WWW-Authenticate', () => {
	test('missing Authorization header', async () => {
		for (const path of ['/Users', '/Groups', `/Users/${randomGuid()}`, '/Users?filter=userName%20eq%20%22x%22'])
			assert401(await withAuth(null, 'GET', path));
		assert401(await withAuth(null, 'POST', '/Users', userResource()));
	});

	test('wrong token, with and without the Bearer scheme', async () => {
		assert401(await withAuth(`Bearer scim_${'0'.repeat(64)}`));
		assert401(await withAuth(`Bearer ${TOKEN}x`));
		assert401(await withAuth(`Bearer ${TOKEN.slice(0, -1)}`));
		assert401(await withAuth(`scim_${'1'.repeat(64)}`));
	});

	test("Okta SPEC 'Check status 401': Authorization: non-token", async () => {
		const res = await withAuth('non-token');
		assert401(res);
		assert.equal(res.body.status, '401');
		assert.ok(res.body.detail.length > 0);
	});

	test('empty and malformed credentials', async () => {
		assert401(await withAuth('Bearer'));
		assert401(await withAuth('Bearer '));
		assert401(await withAuth('Basic ' + Buffer.from(`admin:${TOKEN}`).toString('base64')));
		assert401(await withAuth(`Token ${TOKEN}`));
	});

	test('a failed write changes nothing', async () => {
		const userName = `${uniq('noauth')}@example.com`;
		assert401(await withAuth('Bearer nope', 'POST', '/Users', userResource(userName)));
		const look = await scim('GET', `/Users${qs({ filter: eqFilter('userName', userName) })}`);
		assertListResponse(look, { total: 0 });
		const u = await create('/Users', userResource());
		assert401(await withAuth('Bearer nope', 'PATCH', `/Users/${u.id}`,
			{ schemas: [PATCH_URN], Operations: [{ op: 'replace', value: { active: false } }] }));
		assert401(await withAuth('Bearer nope', 'DELETE', `/Users/${u.id}`));
		const after = await getOk(`/Users/${u.id}`);
		assert.equal(after.active, true);
		assert.equal(after.meta.version, u.meta.version);
	});

	test('a revoked token is refused', async () => {
		const { tenant } = newTenant();
		const label = uniq('revoke');
		const token = sql(`SELECT scim.token_issue(${lit(tenant)}, ${lit(label)})`);
		assert.equal((await scim('GET', '/Users', { token })).status, 200);
		sql(`SELECT scim.token_revoke(${lit(tenant)}, ${lit(label)})`);
		assert401(await scim('GET', '/Users', { token }));
	});
});

describe('auth: accepted forms', () => {
	test('Authorization: Bearer <token>', async () => {
		assertListResponse(await withAuth(`Bearer ${TOKEN}`, 'GET', '/Users?count=1'));
	});

	test('the bare token (Okta Header Auth without the scheme)', async () => {
		assertListResponse(await withAuth(TOKEN, 'GET', '/Users?count=1'));
		const u = await scim('POST', '/Users', { token: null, headers: { authorization: TOKEN }, body: userResource() });
		assert.equal(u.status, 201, u.text);
	});

	test('the scheme name in any case (RFC 7235)', async () => {
		assertListResponse(await withAuth(`bearer ${TOKEN}`, 'GET', '/Users?count=1'));
		assertListResponse(await withAuth(`BEARER ${TOKEN}`, 'GET', '/Users?count=1'));
	});

	test('several tokens of one tenant see the same data', async () => {
		const { tenant, token } = newTenant();
		const token2 = newToken(tenant);
		const u = await create('/Users', userResource(), { token });
		const got = await getOk(`/Users/${u.id}`, { token: token2 });
		assert.equal(got.userName, u.userName);
	});
});

describe('auth: tenant isolation', () => {
	test("a second tenant's token sees 404s and empty lists", async () => {
		const { token: other } = newTenant();
		const u = await create('/Users', userResource(`${uniq('iso')}@example.com`, { externalId: uniq('isoext') }));
		const g = await create('/Groups', groupResource(uniq('iso group'), { members: [{ value: u.id }] }));
		/* joining the group moved the user's version: compare with the state after it */
		const before = await getOk(`/Users/${u.id}`);

		/* reads */
		assertScimError(await scim('GET', `/Users/${u.id}`, { token: other }), 404);
		assertScimError(await scim('GET', `/Groups/${g.id}`, { token: other }), 404);
		assertListResponse(await scim('GET', `/Users${qs({ filter: eqFilter('userName', u.userName) })}`, { token: other }), { total: 0 });
		assertListResponse(await scim('GET', `/Users${qs({ filter: eqFilter('externalId', u.externalId) })}`, { token: other }), { total: 0 });
		assertListResponse(await scim('GET', `/Users${qs({ filter: `id eq "${u.id}"` })}`, { token: other }), { total: 0 });
		assertListResponse(await scim('GET', `/Groups${qs({ filter: eqFilter('displayName', g.displayName) })}`, { token: other }), { total: 0 });
		assertListResponse(await scim('GET', '/Users', { token: other }), { total: 0 });
		assertListResponse(await scim('GET', '/Groups', { token: other }), { total: 0 });
		const search = await scim('POST', '/Users/.search', {
			token: other,
			body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: eqFilter('userName', u.userName) },
		});
		assertListResponse(search, { total: 0 });

		/* writes */
		assertScimError(await scim('PUT', `/Users/${u.id}`, { token: other, body: userResource(u.userName, { active: false }) }), 404);
		assertScimError(await scim('PATCH', `/Users/${u.id}`, {
			token: other, body: { schemas: [PATCH_URN], Operations: [{ op: 'replace', value: { active: false } }] },
		}), 404);
		assertScimError(await scim('DELETE', `/Users/${u.id}`, { token: other }), 404);
		assertScimError(await scim('PATCH', `/Groups/${g.id}`, {
			token: other, body: { schemas: [PATCH_URN], Operations: [{ op: 'remove', path: 'members' }] },
		}), 404);
		assertScimError(await scim('DELETE', `/Groups/${g.id}`, { token: other }), 404);

		/* the other tenant cannot pull a foreign user into its own group */
		const og = await create('/Groups', groupResource(uniq('other group')), { token: other });
		const add = await scim('PATCH', `/Groups/${og.id}`, {
			token: other, body: { schemas: [PATCH_URN], Operations: [{ op: 'add', path: 'members', value: [{ value: u.id }] }] },
		});
		assertScimError(add, 400);
		const ogNow = await getOk(`/Groups/${og.id}`, { token: other });
		assert.deepEqual(ogNow.members ?? [], []);
		const foreign = await scim('POST', '/Groups', { token: other, body: groupResource(uniq('other2'), { members: [{ value: u.id }] }) });
		assertScimError(foreign, 400);

		/* nothing changed in the first tenant */
		const after = await getOk(`/Users/${u.id}`);
		assert.equal(after.active, true);
		assert.equal(after.meta.version, before.meta.version);
		const gAfter = await getOk(`/Groups/${g.id}`);
		assert.deepEqual(gAfter.members.map((m) => m.value), [u.id]);
	});

	test('userName and group displayName are unique per tenant, not globally', async () => {
		const { token: other } = newTenant();
		const userName = `${uniq('same')}@example.com`;
		const name = uniq('same group');
		const a = await create('/Users', userResource(userName));
		const b = await create('/Users', userResource(userName), { token: other });
		assert.notEqual(a.id, b.id);
		await create('/Groups', groupResource(name));
		await create('/Groups', groupResource(name), { token: other });
		const mine = assertListResponse(await scim('GET', `/Users${qs({ filter: eqFilter('userName', userName) })}`), { total: 1 });
		assert.equal(mine.Resources[0].id, a.id);
		const theirs = assertListResponse(await scim('GET', `/Users${qs({ filter: eqFilter('userName', userName) })}`, { token: other }), { total: 1 });
		assert.equal(theirs.Resources[0].id, b.id);
	});

	test('each tenant gets its own settings in discovery', async () => {
		const { token } = newTenant({ max_results: 7, max_payload_bytes: 4096 });
		const spc = await getOk('/ServiceProviderConfig', { token });
		assert.equal(spc.filter.maxResults, 7);
		assert.equal(spc.bulk.maxPayloadSize, 4096);
		const dflt = await getOk('/ServiceProviderConfig');
		assert.notEqual(dflt.filter.maxResults, 7);
	});
});
