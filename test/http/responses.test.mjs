// test/http/responses.test.mjs - what every answer must look like, whatever
// the client (RFC 7644 §3, docs/conformance.md): application/scim+json, ids and
// schemas on every resource, Location = meta.location on 201, and the
// password (writeOnly, returned "never") absent from every answer.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';

import {
	scim, sql, lit, uniq, create, getOk, qs, eqFilter, hasKeyDeep,
	assertScimJson, assertListResponse, userResource, groupResource,
	PATCH_URN, SEARCH_URN, USER_URN,
} from './lib.mjs';

const PW = 'Never-Echo-Me-9!';

function assertNoPassword(res, where) {
	assert.ok(!hasKeyDeep(res.body, 'password'), `${where}: password returned: ${res.text.slice(0, 300)}`);
	assert.ok(!res.text.includes(PW), `${where}: the password text appears`);
}

describe('password is never returned', () => {
	test('not by POST, GET, list, filter, .search, PUT, PATCH; not even when asked for', async () => {
		const userName = `${uniq('pw')}@example.com`;
		const post = await scim('POST', '/Users', { body: userResource(userName, { password: PW }) });
		assert.equal(post.status, 201, post.text);
		assertNoPassword(post, 'POST');
		const id = post.body.id;

		assertNoPassword(await scim('GET', `/Users/${id}`), 'GET');
		assertNoPassword(await scim('GET', `/Users/${id}?attributes=password`), 'GET attributes=password');
		assertNoPassword(await scim('GET', `/Users/${id}?attributes=userName,password`), 'GET attributes=userName,password');
		assertNoPassword(await scim('GET', '/Users?count=200'), 'list');
		assertNoPassword(await scim('GET', `/Users${qs({ filter: eqFilter('userName', userName), attributes: 'password' })}`), 'filter');
		assertNoPassword(await scim('POST', '/Users/.search', {
			body: { schemas: [SEARCH_URN], filter: eqFilter('userName', userName), attributes: ['password'] },
		}), '.search');
		const put = await scim('PUT', `/Users/${id}`, { body: userResource(userName, { password: PW, title: 'x' }) });
		assert.equal(put.status, 200, put.text);
		assertNoPassword(put, 'PUT');
		const patch = await scim('PATCH', `/Users/${id}`, {
			body: { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'password', value: PW }] },
		});
		assert.ok(patch.status === 200 || patch.status === 204, patch.text);
		if (patch.status === 200)
			assertNoPassword(patch, 'PATCH');

		/* it is stored, hashed */
		assert.equal(sql(`SELECT scim.password_verify('default', ${lit(userName)}, ${lit(PW)})`), 't');
		assert.equal(sql(`SELECT count(*) FROM scim.users WHERE user_name = ${lit(userName)} AND password_hash = ${lit(PW)}`), '0');
	});

	test('a group listing its members does not leak member passwords', async () => {
		const u = await create('/Users', userResource(undefined, { password: PW }));
		const g = await create('/Groups', groupResource(undefined, { members: [{ value: u.id }] }));
		assertNoPassword(await scim('GET', `/Groups/${g.id}`), 'GET group');
	});
});

describe('every resource answer is complete', () => {
	test('201 carries Location = meta.location, id, schemas, meta.resourceType', async () => {
		for (const [ep, body, type] of [['/Users', userResource(), 'User'], ['/Groups', groupResource(), 'Group']]) {
			const res = await scim('POST', ep, { body });
			assert.equal(res.status, 201, res.text);
			assertScimJson(res);
			assert.equal(res.headers.location, res.body.meta.location);
			assert.equal(typeof res.body.id, 'string');
			assert.ok(Array.isArray(res.body.schemas) && res.body.schemas.length > 0);
			assert.equal(res.body.meta.resourceType, type);
			assert.ok(!Number.isNaN(Date.parse(res.body.meta.created)), res.body.meta.created);
			assert.ok(!Number.isNaN(Date.parse(res.body.meta.lastModified)));
			/* the Location can be fetched as it is */
			const got = await scim('GET', res.headers.location);
			assert.equal(got.status, 200, `GET ${res.headers.location}: ${got.text}`);
			assert.equal(got.body.id, res.body.id);
		}
	});

	test('readOnly values a client echoes are ignored, not stored (id, meta, groups)', async () => {
		const fakeId = '11111111-2222-3333-4444-555555555555';
		const res = await scim('POST', '/Users', {
			body: userResource(undefined, {
				id: fakeId,
				meta: { resourceType: 'User', created: '2001-01-01T00:00:00Z', version: 'W/"999"' },
				groups: [{ value: fakeId, display: 'nope' }],
			}),
		});
		assert.equal(res.status, 201, res.text);
		assert.notEqual(res.body.id, fakeId);
		assert.notEqual(res.body.meta.created, '2001-01-01T00:00:00Z');
		assert.notEqual(res.body.meta.version, 'W/"999"');
		assert.ok(!(res.body.groups ?? []).some((x) => x.value === fakeId));
	});

	test('every answer is application/scim+json: lists, resources, errors, discovery', async () => {
		const u = await create('/Users', userResource());
		for (const [m, p] of [['GET', '/Users'], ['GET', `/Users/${u.id}`], ['GET', '/Groups'], ['GET', '/Schemas'],
			['GET', '/ServiceProviderConfig'], ['GET', '/ResourceTypes'], ['GET', '/Users/not-there'], ['GET', '/Nope']]) {
			const res = await scim(m, p);
			assertScimJson(res);
		}
	});

	test('DELETE is 204 with an empty body; later reads are 404', async () => {
		const u = await create('/Users', userResource());
		const del = await scim('DELETE', `/Users/${u.id}`);
		assert.equal(del.status, 204);
		assert.equal(del.text, '');
		assert.equal((await scim('GET', `/Users/${u.id}`)).status, 404);
		assert.equal((await scim('PUT', `/Users/${u.id}`, { body: userResource(u.userName) })).status, 404);
	});

	test('a user created with only the core schema lists only it in schemas', async () => {
		const u = await create('/Users', { schemas: [USER_URN], userName: `${uniq('core')}@example.com` });
		assert.deepEqual(u.schemas, [USER_URN]);
		const got = await getOk(`/Users/${u.id}`);
		assert.deepEqual(got.schemas, [USER_URN]);
	});
});
