// test/http/okta.test.mjs - Okta's real request sequences (docs/okta.md):
// Test API Credentials, assign (lookup then create), duplicate 409, GET then
// PUT profile update, path-less deactivate/reactivate, password sync, group
// push, import paging, and the Runscope SPEC test chain (§1.4).

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';

import {
	scim, sql, lit, newTenant, assertScimError, assertListResponse, assertOkOrNoContent,
	assertScimJson, hasKeyDeep, qs, uniq, randomGuid,
	USER_URN, GROUP_URN, ERROR_URN, SPC_URN, LIST_URN,
} from './lib.mjs';
import {
	okta, OKTA_HEADERS, oktaLookupPath, oktaLogin, oktaUserBody, oktaGroupBody, patchOp,
} from './clients.mjs';

/* create a user the way Okta does (lookup first) and return its body */
async function oktaAssign(login = oktaLogin(), extra = {}, token) {
	const opts = token === undefined ? {} : { token };
	const look = await okta('GET', oktaLookupPath(login), undefined, opts);
	assertListResponse(look, { total: 0 });
	const res = await okta('POST', '/Users', oktaUserBody(login, extra), opts);
	assert.equal(res.status, 201, `create: ${res.status} ${res.text}`);
	return res.body;
}

function memberIds(group) {
	return (group.members ?? []).map((m) => m.value).sort();
}

describe('Okta: Test API Credentials', () => {
	test('GET /Users?startIndex=1&count=2 is a ListResponse with integer paging', async () => {
		await oktaAssign();
		const res = await okta('GET', '/Users?startIndex=1&count=2');
		const b = assertListResponse(res, { startIndex: 1 });
		assert.ok(b.totalResults >= 1);
		assert.ok(b.itemsPerPage <= 2 && b.itemsPerPage >= 1);
	});

	test('works on an empty tenant: totalResults 0 and Resources []', async () => {
		const { token } = newTenant();
		const res = await okta('GET', '/Users?startIndex=1&count=2', undefined, { token });
		const b = assertListResponse(res, { total: 0, startIndex: 1, itemsPerPage: 0 });
		assert.deepEqual(b.Resources, []);
	});
});

describe('Okta: assign user (lookup then create)', () => {
	test('lookup of an absent login is 200 with totalResults 0 (%20 and + encodings)', async () => {
		const login = oktaLogin();
		for (const plus of [false, true]) {
			const res = await okta('GET', oktaLookupPath(login, { plus }));
			const b = assertListResponse(res, { total: 0, itemsPerPage: 0 });
			assert.deepEqual(b.Resources, []);
		}
	});

	test('POST /Users answers 201 with the full user, Location = meta.location, no password', async () => {
		const login = oktaLogin();
		const body = oktaUserBody(login);
		const res = await okta('POST', '/Users', body);
		assert.equal(res.status, 201, res.text);
		assertScimJson(res);
		const u = res.body;
		assert.equal(typeof u.id, 'string');
		assert.ok(u.id.length > 0);
		assert.ok(u.schemas.includes(USER_URN));
		assert.equal(u.userName, login);
		assert.equal(u.name.givenName, 'Ada');
		assert.equal(u.name.familyName, 'Lovelace');
		assert.equal(u.displayName, 'Ada Lovelace');
		assert.equal(u.locale, 'en-US');
		assert.equal(u.externalId, body.externalId);
		assert.equal(u.active, true);
		assert.equal(u.emails.length, 1);
		assert.equal(u.emails[0].value, login);
		assert.equal(u.emails[0].type, 'work');
		assert.equal(u.emails[0].primary, true);
		assert.equal(u.meta.resourceType, 'User');
		assert.ok(!hasKeyDeep(u, 'password'), `password must never be returned: ${res.text}`);
		assert.ok(!res.text.includes(body.password), 'the password text must not appear');
		assert.equal(res.headers.location, u.meta.location, 'Location header = meta.location');
		assert.ok(u.meta.location.endsWith(`/Users/${u.id}`), u.meta.location);
		assert.equal(res.headers.etag, u.meta.version, 'ETag header = meta.version');
	});

	test('after the create, the lookup links: exact and case-insensitive userName', async () => {
		const login = oktaLogin('Linked');
		const u = await oktaAssign(login);
		for (const variant of [login, login.toUpperCase(), login.toLowerCase()]) {
			const res = await okta('GET', oktaLookupPath(variant));
			const b = assertListResponse(res, { total: 1, itemsPerPage: 1 });
			assert.equal(b.Resources[0].id, u.id, `lookup ${variant}`);
			assert.equal(b.Resources[0].userName, login);
		}
		/* eq is exact: a prefix of the login does not match */
		const prefix = await okta('GET', oktaLookupPath(login.slice(0, -4)));
		assertListResponse(prefix, { total: 0 });
		const get = await okta('GET', `/Users/${u.id}`);
		assert.equal(get.status, 200);
		assert.equal(get.body.id, u.id);
	});

	test('a duplicate userName is 409 uniqueness (also in another case), nothing created', async () => {
		const login = oktaLogin();
		await oktaAssign(login);
		const dup = await okta('POST', '/Users', oktaUserBody(login));
		assertScimError(dup, 409, 'uniqueness');
		const dupCase = await okta('POST', '/Users', oktaUserBody(login.toUpperCase()));
		assertScimError(dupCase, 409, 'uniqueness');
		const look = await okta('GET', oktaLookupPath(login));
		assertListResponse(look, { total: 1 });
	});

	test('an unknown id is 404 with a SCIM Error, also when it is not UUID-shaped', async () => {
		assertScimError(await okta('GET', '/Users/010101001010101011001010101011'), 404);
		assertScimError(await okta('GET', `/Users/${randomGuid()}`), 404);
	});
});

describe('Okta: profile update (GET then PUT)', () => {
	test('PUT of the whole object with echoed id, groups, meta is 200 with the update', async () => {
		const u = await oktaAssign();
		const get = await okta('GET', `/Users/${u.id}`);
		assert.equal(get.status, 200);
		const login2 = oktaLogin('renamed');
		const put = await okta('PUT', `/Users/${u.id}`, {
			schemas: [USER_URN],
			id: u.id,
			userName: login2,
			name: { givenName: 'Augusta', middleName: 'Ada', familyName: 'King' },
			emails: [{ primary: true, value: login2, type: 'work', display: login2 }],
			active: true,
			groups: [],
			meta: { resourceType: 'User' },
		});
		assert.equal(put.status, 200, put.text);
		assertScimJson(put);
		assert.equal(put.body.id, u.id);
		assert.equal(put.body.userName, login2);
		assert.equal(put.body.name.givenName, 'Augusta');
		assert.equal(put.body.name.middleName, 'Ada');
		assert.equal(put.body.name.familyName, 'King');
		assert.equal(put.body.emails.length, 1);
		assert.equal(put.body.emails[0].value, login2);
		assert.equal(put.body.active, true);
		const after = await okta('GET', `/Users/${u.id}`);
		assert.equal(after.body.userName, login2);
		assert.equal(after.body.name.familyName, 'King');
		/* the old login is free again, the new one is found */
		assertListResponse(await okta('GET', oktaLookupPath(u.userName)), { total: 0 });
		assertListResponse(await okta('GET', oktaLookupPath(login2)), { total: 1 });
	});

	test('older samples: externalId, locale, password and meta with non-ISO dates are accepted', async () => {
		const u = await oktaAssign();
		const put = await okta('PUT', `/Users/${u.id}`, {
			schemas: [USER_URN],
			id: u.id,
			userName: u.userName,
			externalId: u.externalId,
			name: { givenName: 'Ada', middleName: 'B', familyName: 'Lovelace' },
			emails: [{ primary: true, value: u.userName, type: 'work', display: 'Ada' }],
			locale: 'en-GB',
			password: 'N3w-Okta-Pa55!',
			active: true,
			groups: [],
			meta: { resourceType: 'User', created: '04-12-2018 00:00:00', lastModified: '04-12-2018 00:00:00' },
		});
		assert.equal(put.status, 200, put.text);
		assert.equal(put.body.locale, 'en-GB');
		assert.equal(put.body.externalId, u.externalId);
		assert.equal(put.body.meta.created, u.meta.created, 'meta.created is not taken from the body');
		assert.ok(!hasKeyDeep(put.body, 'password'), put.text);
		assert.ok(!put.text.includes('N3w-Okta-Pa55!'));
	});

	test('custom/AIW apps deactivate with PUT active:false; the user stays visible', async () => {
		const u = await oktaAssign();
		const put = await okta('PUT', `/Users/${u.id}`, {
			schemas: [USER_URN], id: u.id, userName: u.userName,
			name: u.name, emails: u.emails, active: false, groups: [],
		});
		assert.equal(put.status, 200, put.text);
		assert.equal(put.body.active, false);
		const look = assertListResponse(await okta('GET', oktaLookupPath(u.userName)), { total: 1 });
		assert.equal(look.Resources[0].active, false);
	});
});

describe('Okta: deactivate and reactivate (path-less PATCH)', () => {
	test('{"op":"replace","value":{"active":false}} deactivates; the user stays findable', async () => {
		const u = await oktaAssign();
		const res = await okta('PATCH', `/Users/${u.id}`,
			patchOp({ op: 'replace', value: { active: false } }));
		const body = assertOkOrNoContent(res);
		if (body)
			assert.equal(body.active, false);
		const get = await okta('GET', `/Users/${u.id}`);
		assert.equal(get.status, 200);
		assert.equal(get.body.active, false);
		assert.equal(get.body.userName, u.userName, 'nothing else changed');
		assert.equal(get.body.name.givenName, 'Ada');
		const look = assertListResponse(await okta('GET', oktaLookupPath(u.userName)), { total: 1 });
		assert.equal(look.Resources[0].id, u.id);
		assert.equal(look.Resources[0].active, false);
	});

	test('re-assignment: lookup finds the deactivated user, then {"active":true}', async () => {
		const u = await oktaAssign();
		assertOkOrNoContent(await okta('PATCH', `/Users/${u.id}`,
			patchOp({ op: 'replace', value: { active: false } })));
		const look = assertListResponse(await okta('GET', oktaLookupPath(u.userName)), { total: 1 });
		assert.equal(look.Resources[0].id, u.id);
		const res = await okta('PATCH', `/Users/${u.id}`,
			patchOp({ op: 'replace', value: { active: true } }));
		const body = assertOkOrNoContent(res);
		if (body)
			assert.equal(body.active, true);
		const get = await okta('GET', `/Users/${u.id}`);
		assert.equal(get.body.active, true);
	});

	test('password sync by path-less PATCH: stored (password_verify), never echoed', async () => {
		const u = await oktaAssign();
		const pw = `Sync-${uniq('pw')}`;
		const res = await okta('PATCH', `/Users/${u.id}`,
			patchOp({ op: 'replace', value: { password: pw } }));
		const body = assertOkOrNoContent(res);
		if (body)
			assert.ok(!hasKeyDeep(body, 'password'), res.text);
		assert.ok(!res.text.includes(pw));
		assert.equal(sql(`SELECT scim.password_verify('default', ${lit(u.userName)}, ${lit(pw)})`), 't');
		assert.equal(sql(`SELECT scim.password_verify('default', ${lit(u.userName)}, 'wrong')`), 'f');
		const get = await okta('GET', `/Users/${u.id}`);
		assert.ok(!hasKeyDeep(get.body, 'password'));
	});
});

describe('Okta: group push', () => {
	async function threeUsers() {
		return [await oktaAssign(), await oktaAssign(), await oktaAssign()];
	}

	test('push, add/remove members with members[value eq ...], rename with echoed id, replace, delete', async () => {
		const [u1, u2, u3] = await threeUsers();
		const name = uniq('Okta Group');

		/* push the group */
		const push = await okta('POST', '/Groups', oktaGroupBody(name));
		assert.equal(push.status, 201, push.text);
		assertScimJson(push);
		const g = push.body;
		assert.ok(g.schemas.includes(GROUP_URN));
		assert.equal(g.displayName, name);
		assert.deepEqual(memberIds(g), []);
		assert.equal(push.headers.location, g.meta.location);
		assert.equal(g.meta.resourceType, 'Group');

		/* GET by id returns it as the POST did */
		const read = await okta('GET', `/Groups/${g.id}`);
		assert.equal(read.status, 200);
		assert.equal(read.body.displayName, name);

		/* membership: add two */
		let res = await okta('PATCH', `/Groups/${g.id}`, patchOp({
			op: 'add', path: 'members',
			value: [{ value: u1.id, display: u1.userName }, { value: u2.id, display: u2.userName }],
		}));
		assertOkOrNoContent(res);
		let cur = (await okta('GET', `/Groups/${g.id}`)).body;
		assert.deepEqual(memberIds(cur), [u1.id, u2.id].sort());
		for (const m of cur.members)
			assert.equal(typeof m.value, 'string');

		/* a mix: remove u1 by filter (no value), add u3 */
		res = await okta('PATCH', `/Groups/${g.id}`, patchOp(
			{ op: 'remove', path: `members[value eq "${u1.id}"]` },
			{ op: 'add', path: 'members', value: [{ value: u3.id, display: u3.userName }] },
		));
		assertOkOrNoContent(res);
		cur = (await okta('GET', `/Groups/${g.id}`)).body;
		assert.deepEqual(memberIds(cur), [u2.id, u3.id].sort());

		/* rename: path-less replace whose value echoes the group's own id */
		const name2 = uniq('Okta Renamed');
		res = await okta('PATCH', `/Groups/${g.id}`, patchOp(
			{ op: 'replace', value: { id: g.id, displayName: name2 } }));
		assertOkOrNoContent(res);
		cur = (await okta('GET', `/Groups/${g.id}`)).body;
		assert.equal(cur.id, g.id);
		assert.equal(cur.displayName, name2);
		assert.deepEqual(memberIds(cur), [u2.id, u3.id].sort(), 'a rename keeps the members');

		/* Okta re-sends the echoed-id rename together with a membership push */
		res = await okta('PATCH', `/Groups/${g.id}`, patchOp(
			{ op: 'replace', value: { id: g.id, displayName: name2 } },
			{ op: 'add', path: 'members', value: [{ value: u1.id, display: u1.userName }] },
		));
		assertOkOrNoContent(res);
		cur = (await okta('GET', `/Groups/${g.id}`)).body;
		assert.deepEqual(memberIds(cur), [u1.id, u2.id, u3.id].sort());

		/* the users see the group */
		const ug = (await okta('GET', `/Users/${u2.id}`)).body;
		assert.ok((ug.groups ?? []).some((x) => x.value === g.id), `groups of u2: ${JSON.stringify(ug.groups)}`);

		/* full push: replace the whole list */
		res = await okta('PATCH', `/Groups/${g.id}`, patchOp({
			op: 'replace', path: 'members', value: [{ value: u3.id, display: u3.userName }],
		}));
		assertOkOrNoContent(res);
		cur = (await okta('GET', `/Groups/${g.id}`)).body;
		assert.deepEqual(memberIds(cur), [u3.id]);

		/* import finds it */
		const list = await okta('GET', `/Groups${qs({ filter: `displayName eq "${name2}"`, startIndex: 1, count: 100 })}`);
		const lb = assertListResponse(list, { total: 1 });
		assert.equal(lb.Resources[0].id, g.id);

		/* unlink + delete in target app */
		const del = await okta('DELETE', `/Groups/${g.id}`);
		assert.equal(del.status, 204, del.text);
		assert.equal(del.text, '');
		assertScimError(await okta('GET', `/Groups/${g.id}`), 404);
		/* the members are not deleted with the group */
		for (const u of [u1, u2, u3]) {
			const r = await okta('GET', `/Users/${u.id}`);
			assert.equal(r.status, 200);
			assert.ok(!(r.body.groups ?? []).some((x) => x.value === g.id));
		}
	});

	test('older sample: POST /Groups with members already filled', async () => {
		const [u1, u2] = await threeUsers();
		const res = await okta('POST', '/Groups', oktaGroupBody(uniq('Okta Filled'), [
			{ value: u1.id, display: u1.userName }, { value: u2.id, display: u2.userName },
		]));
		assert.equal(res.status, 201, res.text);
		assert.deepEqual(memberIds(res.body), [u1.id, u2.id].sort());
		const get = await okta('GET', `/Groups/${res.body.id}`);
		assert.deepEqual(memberIds(get.body), [u1.id, u2.id].sort());
	});

	test('removing several members with or-ed and separate members[value eq ...] ops', async () => {
		const [u1, u2, u3] = await threeUsers();
		const g = (await okta('POST', '/Groups', oktaGroupBody(uniq('Okta Multi'), [
			{ value: u1.id }, { value: u2.id }, { value: u3.id },
		]))).body;
		const res = await okta('PATCH', `/Groups/${g.id}`, patchOp(
			{ op: 'remove', path: `members[value eq "${u1.id}"]` },
			{ op: 'remove', path: `members[value eq "${u2.id}"]` },
		));
		assertOkOrNoContent(res);
		const cur = (await okta('GET', `/Groups/${g.id}`)).body;
		assert.deepEqual(memberIds(cur), [u3.id]);
	});

	test('removing a user that is not a member is not an error and changes nothing', async () => {
		const [u1, u2] = await threeUsers();
		const g = (await okta('POST', '/Groups', oktaGroupBody(uniq('Okta NoOp'), [{ value: u1.id }]))).body;
		const res = await okta('PATCH', `/Groups/${g.id}`, patchOp({ op: 'remove', path: `members[value eq "${u2.id}"]` }));
		assertOkOrNoContent(res);
		const cur = (await okta('GET', `/Groups/${g.id}`)).body;
		assert.deepEqual(memberIds(cur), [u1.id]);
		assert.equal(cur.meta.version, g.meta.version);
	});

	test('the echoed id must be the group\'s own: another id is 400 mutability, nothing renamed', async () => {
		const g = (await okta('POST', '/Groups', oktaGroupBody(uniq('Okta Own Id')))).body;
		const other = (await okta('POST', '/Groups', oktaGroupBody(uniq('Okta Other Id')))).body;
		const res = await okta('PATCH', `/Groups/${g.id}`, patchOp(
			{ op: 'replace', value: { id: other.id, displayName: uniq('Okta Hijack') } }));
		assertScimError(res, 400, 'mutability');
		const cur = (await okta('GET', `/Groups/${g.id}`)).body;
		assert.equal(cur.displayName, g.displayName);
	});

	test('a profile PUT with "groups": [] does not take the user out of its groups', async () => {
		const [u1] = await threeUsers();
		const g = (await okta('POST', '/Groups', oktaGroupBody(uniq('Okta Keep'), [{ value: u1.id }]))).body;
		const put = await okta('PUT', `/Users/${u1.id}`, {
			schemas: [USER_URN], id: u1.id, userName: u1.userName, name: u1.name,
			emails: u1.emails, active: true, groups: [], meta: { resourceType: 'User' },
		});
		assert.equal(put.status, 200, put.text);
		assert.ok((put.body.groups ?? []).some((x) => x.value === g.id), `groups: ${JSON.stringify(put.body.groups)}`);
		const cur = (await okta('GET', `/Groups/${g.id}`)).body;
		assert.deepEqual(memberIds(cur), [u1.id]);
	});

	test('AIW apps: PUT /Groups/{id} with id, displayName and the full member list', async () => {
		const [u1, u2, u3] = await threeUsers();
		const g = (await okta('POST', '/Groups', oktaGroupBody(uniq('Okta AIW'), [{ value: u1.id }]))).body;
		const name2 = uniq('Okta AIW Renamed');
		const put = await okta('PUT', `/Groups/${g.id}`, {
			schemas: [GROUP_URN], id: g.id, displayName: name2,
			members: [{ value: u2.id, display: u2.userName }, { value: u3.id, display: u3.userName }],
		});
		assert.equal(put.status, 200, put.text);
		assert.equal(put.body.displayName, name2);
		assert.deepEqual(memberIds(put.body), [u2.id, u3.id].sort());
		const get = (await okta('GET', `/Groups/${g.id}`)).body;
		assert.deepEqual(memberIds(get), [u2.id, u3.id].sort());
	});

	test('a duplicate group displayName is 409 uniqueness', async () => {
		const name = uniq('Okta Dup');
		assert.equal((await okta('POST', '/Groups', oktaGroupBody(name))).status, 201);
		assertScimError(await okta('POST', '/Groups', oktaGroupBody(name)), 409, 'uniqueness');
	});
});

describe('Okta: import (paging)', () => {
	test('startIndex/count pages are stable, complete and use integers', async () => {
		const { token } = newTenant();
		const ids = [];
		for (let i = 0; i < 5; i++)
			ids.push((await oktaAssign(oktaLogin(`imp${i}`), {}, token)).id);
		const seen = [];
		for (let start = 1; start <= 5; start += 2) {
			const res = await okta('GET', `/Users?startIndex=${start}&count=2`, undefined, { token });
			const b = assertListResponse(res, { total: 5, startIndex: start });
			assert.equal(b.itemsPerPage, start === 5 ? 1 : 2);
			seen.push(...b.Resources.map((r) => r.id));
		}
		assert.equal(new Set(seen).size, 5, `no duplicates across pages: ${seen}`);
		assert.deepEqual([...seen].sort(), [...ids].sort());
		/* the same pages again come in the same order */
		const again = [];
		for (let start = 1; start <= 5; start += 2) {
			const b = (await okta('GET', `/Users?startIndex=${start}&count=2`, undefined, { token })).body;
			again.push(...b.Resources.map((r) => r.id));
		}
		assert.deepEqual(again, seen);
		/* past the end: empty page, full total */
		const past = await okta('GET', '/Users?startIndex=101&count=100', undefined, { token });
		assertListResponse(past, { total: 5, itemsPerPage: 0, startIndex: 101 });
	});

	test('GET /Groups?startIndex=1&count=100 imports every group, with members', async () => {
		const { token } = newTenant();
		const u = await oktaAssign(oktaLogin('gimp'), {}, token);
		const gids = [];
		for (let i = 0; i < 3; i++) {
			const r = await okta('POST', '/Groups', oktaGroupBody(uniq(`Import ${i}`), [{ value: u.id }]), { token });
			assert.equal(r.status, 201, r.text);
			gids.push(r.body.id);
		}
		const all = assertListResponse(await okta('GET', '/Groups?startIndex=1&count=100', undefined, { token }),
			{ total: 3, startIndex: 1, itemsPerPage: 3 });
		assert.deepEqual(all.Resources.map((g) => g.id).sort(), [...gids].sort());
		const p1 = assertListResponse(await okta('GET', '/Groups?startIndex=1&count=2', undefined, { token }), { total: 3, itemsPerPage: 2 });
		const p2 = assertListResponse(await okta('GET', '/Groups?startIndex=3&count=2', undefined, { token }), { total: 3, itemsPerPage: 1 });
		assert.deepEqual([...p1.Resources, ...p2.Resources].map((g) => g.id).sort(), [...gids].sort());
	});
});

describe("Okta: the Runscope SPEC test chain (§1.4)", () => {
	test('discovery steps, required chain, case check, 401 and 404 checks', async () => {
		const { token } = newTenant();
		const o = { token };

		/* Okta asks for at least one existing user (and a group for GET /Groups) */
		await oktaAssign(oktaLogin('seed'), {}, token);
		assert.equal((await okta('POST', '/Groups', oktaGroupBody(uniq('spec')), o)).status, 201);

		/* optional: GET /ServiceProviderConfig */
		const spc = await okta('GET', '/ServiceProviderConfig', undefined, o);
		assert.equal(spc.status, 200, spc.text);
		assert.ok(spc.body.schemas.includes(SPC_URN));
		assert.equal(typeof spc.body.patch.supported, 'boolean');
		assert.equal(typeof spc.body.bulk.supported, 'boolean');
		assert.ok(Number.isInteger(spc.body.bulk.maxOperations));
		assert.ok(Number.isInteger(spc.body.bulk.maxPayloadSize));
		assert.equal(typeof spc.body.filter.supported, 'boolean');
		assert.ok(Number.isInteger(spc.body.filter.maxResults));
		assert.equal(typeof spc.body.changePassword.supported, 'boolean');
		assert.equal(typeof spc.body.sort.supported, 'boolean');
		assert.equal(typeof spc.body.etag.supported, 'boolean');
		assert.equal(typeof spc.body.authenticationSchemes[0].type, 'string');
		assert.equal(typeof spc.body.authenticationSchemes[0].description, 'string');

		/* optional: POST to the discovery endpoints is 405 */
		for (const ep of ['/ServiceProviderConfig', '/ResourceTypes', '/Schemas'])
			assertScimError(await okta('POST', ep, {}, o), 405);

		/* optional: GET /ResourceTypes and /Schemas are ListResponses */
		for (const ep of ['/ResourceTypes', '/Schemas']) {
			const r = await okta('GET', ep, undefined, o);
			assert.equal(r.status, 200);
			assert.ok(r.body.schemas.includes(LIST_URN));
			assert.ok(Array.isArray(r.body.Resources) && r.body.Resources.length >= 2);
		}

		/* required: GET /Users?count=1&startIndex=1 */
		const first = assertListResponse(await okta('GET', '/Users?count=1&startIndex=1', undefined, o),
			{ startIndex: 1, itemsPerPage: 1 });
		assert.ok(first.totalResults >= 1);
		const r0 = first.Resources[0];
		assert.equal(typeof r0.id, 'string');
		assert.equal(typeof r0.name.familyName, 'string');
		assert.equal(typeof r0.name.givenName, 'string');
		assert.equal(typeof r0.userName, 'string');
		assert.equal(typeof r0.active, 'boolean');
		assert.ok(Array.isArray(r0.emails) && r0.emails.length > 0);

		/* GET /Users/{that id} */
		const one = await okta('GET', `/Users/${r0.id}`, undefined, o);
		assert.equal(one.status, 200);
		assert.equal(one.body.id, r0.id);

		/* filter on an unknown userName: 200, totalResults 0 */
		const random = `${randomGuid()}@example.com`;
		assertListResponse(await okta('GET', oktaLookupPath(random), undefined, o), { total: 0 });

		/* GET /Users/010101001010101011001010101011: 404, Error schema, detail */
		const nf = await okta('GET', '/Users/010101001010101011001010101011', undefined, o);
		assertScimError(nf, 404);
		assert.deepEqual(nf.body.schemas, [ERROR_URN]);

		/* filter on the random userName, then POST it */
		assertListResponse(await okta('GET', oktaLookupPath(random), undefined, o), { total: 0 });
		const body = oktaUserBody(random, { name: { givenName: 'Runscope', familyName: 'Spec' } });
		const made = await okta('POST', '/Users', body, o);
		assert.equal(made.status, 201, made.text);
		assert.equal(made.body.active, true);
		assert.equal(made.body.userName, random);
		assert.equal(made.body.name.givenName, 'Runscope');
		assert.equal(made.body.name.familyName, 'Spec');
		assert.ok(made.body.schemas.includes(USER_URN));

		/* GET /Users/{id} */
		const got = await okta('GET', `/Users/${made.body.id}`, undefined, o);
		assert.equal(got.status, 200);
		assert.equal(got.body.userName, random);

		/* the same POST again: 409 */
		assertScimError(await okta('POST', '/Users', body, o), 409);

		/* case sensitivity: userName eq "<UPPERCASED>" is 200 and finds the user */
		const upper = assertListResponse(await okta('GET', oktaLookupPath(random.toUpperCase()), undefined, o),
			{ total: 1 });
		assert.equal(upper.Resources[0].id, made.body.id);

		/* GET /Groups: 200, totalResults >= 1, an array */
		const groups = assertListResponse(await okta('GET', '/Groups', undefined, o));
		assert.ok(groups.totalResults >= 1);

		/* Check status 401: Authorization "non-token" */
		const unauth = await scim('GET', '/Users', { token: null, headers: { ...OKTA_HEADERS, authorization: 'non-token' } });
		assertScimError(unauth, 401);

		/* Check status 404 */
		assertScimError(await okta('GET', `/Users/${randomGuid()}`, undefined, o), 404);
	});
});
