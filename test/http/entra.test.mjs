// test/http/entra.test.mjs - Microsoft Entra ID's request sequences
// (docs/entra.md), once without and once with the aadOptscim062020 flag on
// the Tenant URL (the tests whose requests differ only by the flag, which
// the server ignores, are registered once and send their requests in both
// URL forms): Test Connection, create with the enterprise extension,
// matching, capitalised ops, "False"/"True" strings, the multi-attribute
// replace, groups with the Microsoft schema URN, excludedAttributes=members,
// member removal that removes only the listed members, and deletes.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';

import {
	scim, uniq, randomGuid, hasKeyDeep, assertScimError, assertListResponse, assertOkOrNoContent,
	assertScimJson, USER_URN, GROUP_URN, ENTERPRISE_URN, LIST_URN, SCHEMA_URN,
} from './lib.mjs';
import { entra, entraUserBody, entraGroupBody, patchOp, MS_GROUP_URN } from './clients.mjs';

const EMP = `${ENTERPRISE_URN}:employeeNumber`;
const DEPT = `${ENTERPRISE_URN}:department`;
const MANAGER = `${ENTERPRISE_URN}:manager`;

/* the op name as Entra writes it: "Replace" without the flag, "replace" with it */
function opName(flag, op) {
	return flag ? op : op[0].toUpperCase() + op.slice(1);
}

function memberIds(group) {
	return (group.members ?? []).map((m) => m.value).sort();
}

const MODES = [
	{ title: 'without the flag', flag: false },
	{ title: 'with ?aadOptscim062020', flag: true },
];

for (const { title, flag } of MODES) {
	/* the URL form of the requests: the mode's, or each in turn (bothForms) */
	let form = flag;
	const req = (method, path, opts = {}) => entra(method, path, { flag: form, ...opts });

	/*
	 * A test whose requests are the same in both modes but for the flag (which
	 * the server ignores): registered once, in the second mode, and its body
	 * run once per URL form, so that it counts once.
	 */
	const bothForms = (name, fn) => {
		if (!flag)
			return;
		test(`${name} (both URL forms)`, async () => {
			for (const f of [false, true]) {
				form = f;
				try {
					await fn();
				} finally {
					form = flag;
				}
			}
		});
	};

	async function entraCreate(userName = `${uniq('aad')}@contoso.example`, extra = {}) {
		const look = await req('GET', '/Users', { params: [['filter', `userName eq "${userName}"`]] });
		assertListResponse(look, { total: 0 });
		const res = await req('POST', '/Users', { body: entraUserBody(userName, extra) });
		assert.equal(res.status, 201, `create: ${res.status} ${res.text}`);
		return res.body;
	}

	if (flag) describe('Entra, either URL form: Test Connection', () => {
		bothForms('userName eq "<random GUID>" is 200 with an empty ListResponse', async () => {
			const res = await req('GET', '/Users', { params: [['filter', `userName eq "${randomGuid()}"`]] });
			const b = assertListResponse(res, { total: 0, itemsPerPage: 0 });
			assert.deepEqual(b.Resources, []);
			assert.ok(b.startIndex >= 1);
		});

		bothForms('the random group query with excludedAttributes=members is 200 and empty', async () => {
			const res = await req('GET', '/Groups', {
				params: [['excludedAttributes', 'members'], ['filter', `displayName eq "${randomGuid()}"`]],
			});
			const b = assertListResponse(res, { total: 0 });
			assert.deepEqual(b.Resources, []);
		});

		bothForms('a wrong Secret Token fails the test: 401', async () => {
			const res = await req('GET', '/Users', {
				params: [['filter', `userName eq "${randomGuid()}"`]], token: `scim_${randomGuid()}`,
			});
			assertScimError(res, 401);
			assert.ok(res.headers['www-authenticate'], 'WWW-Authenticate header');
		});

		if (flag) {
			test('other spellings of the flag are ignored as well (=true, slash before ?)', async () => {
				const f = `userName eq "${randomGuid()}"`;
				const r1 = await entra('GET', '/Users', { flag: 'aadOptscim062020=true', params: [['filter', f]] });
				assertListResponse(r1, { total: 0 });
				const r2 = await entra('GET', '/Users/', { flag: true, params: [['filter', f]] });
				assertListResponse(r2, { total: 0 });
				const r3 = await entra('GET', '/Users', { flag: 'AzureAdScimPatch2017', params: [['filter', f]] });
				assertListResponse(r3, { total: 0 });
			});
		}
	});

	describe(`Entra ${title}: users`, () => {
		bothForms('create with the enterprise extension: 201, values stored as sent', async () => {
			const userName = `${uniq('Create')}@contoso.example`;
			const body = entraUserBody(userName);
			const res = await req('POST', '/Users', { body });
			assert.equal(res.status, 201, res.text);
			assertScimJson(res);
			const u = res.body;
			assert.equal(typeof u.id, 'string');
			assert.ok(u.schemas.includes(USER_URN));
			assert.ok(u.schemas.includes(ENTERPRISE_URN), `schemas lists the extension: ${u.schemas}`);
			assert.equal(u.userName, userName);
			assert.equal(u.externalId, body.externalId);
			assert.equal(u.active, true);
			assert.equal(u.name.formatted, 'Grace Hopper');
			assert.equal(u.name.givenName, 'Grace');
			assert.equal(u.name.familyName, 'Hopper');
			assert.equal(u.title, 'Rear Admiral');
			assert.equal(u.emails[0].value, userName);
			assert.equal(u.emails[0].type, 'work');
			/* phone numbers are not reformatted */
			const phones = Object.fromEntries(u.phoneNumbers.map((p) => [p.type, p.value]));
			assert.deepEqual(phones, { work: '+1 (555) 010-0100', mobile: '555.010.0199' });
			assert.equal(u.addresses[0].locality, 'Arlington');
			assert.equal(u[ENTERPRISE_URN].employeeNumber, '0042');
			assert.equal(u[ENTERPRISE_URN].department, 'Computing');
			assert.equal(u.meta.resourceType, 'User');
			assert.equal(res.headers.location, u.meta.location);
			/* the read gives the same */
			const get = await req('GET', `/Users/${u.id}`);
			assert.equal(get.status, 200);
			assert.equal(get.body[ENTERPRISE_URN].employeeNumber, '0042');
			assert.deepEqual(get.body.phoneNumbers, u.phoneNumbers);
		});

		bothForms('match by userName, then by externalId, then by emails[type eq "work"].value', async () => {
			const u = await entraCreate();
			const byName = assertListResponse(await req('GET', '/Users',
				{ params: [['filter', `userName eq "${u.userName}"`]] }), { total: 1 });
			assert.equal(byName.Resources[0].id, u.id);
			const byExt = assertListResponse(await req('GET', '/Users',
				{ params: [['filter', `externalId eq "${u.externalId}"`]] }), { total: 1 });
			assert.equal(byExt.Resources[0].id, u.id);
			const byMail = assertListResponse(await req('GET', '/Users',
				{ params: [['filter', `emails[type eq "work"].value eq "${u.userName}"`]] }), { total: 1 });
			assert.equal(byMail.Resources[0].id, u.id);
			const both = assertListResponse(await req('GET', '/Users',
				{ params: [['filter', `userName eq "${u.userName}" and externalId eq "${u.externalId}"`]] }), { total: 1 });
			assert.equal(both.Resources[0].id, u.id);
			/* externalId is caseExact (RFC 7643): another case does not match */
			assertListResponse(await req('GET', '/Users',
				{ params: [['filter', `externalId eq "${u.externalId.toUpperCase()}"`]] }), { total: 0 });
		});

		bothForms('read by id, unknown id is 404', async () => {
			const u = await entraCreate();
			const get = await req('GET', `/Users/${u.id}`);
			assert.equal(get.status, 200);
			assert.equal(get.body.id, u.id);
			assertScimError(await req('GET', `/Users/${randomGuid()}`), 404);
		});

		test('multi-attribute update (one op per attribute, or the flag\'s path-less replace with dotted and URN keys)', async () => {
			const u = await entraCreate();
			const mail2 = `${uniq('new')}@contoso.example`;
			const ext2 = uniq('ext');
			const ops = [{ op: opName(flag, 'replace'), path: 'emails[type eq "work"].value', value: mail2 }];
			if (!flag) {
				ops.push(
					{ op: 'Replace', path: 'displayName', value: 'Amazing Grace' },
					{ op: 'Replace', path: 'name.givenName', value: 'Amazing' },
					{ op: 'Replace', path: 'name.familyName', value: 'Hopper-Murray' },
					{ op: 'Replace', path: 'externalId', value: ext2 },
					{ op: 'Replace', path: EMP, value: '0043' },
					{ op: 'Replace', path: DEPT, value: 'Research' },
				);
			} else {
				ops.push({
					op: 'replace',
					value: {
						displayName: 'Amazing Grace',
						'name.givenName': 'Amazing',
						'name.familyName': 'Hopper-Murray',
						externalId: ext2,
						[EMP]: '0043',
						[DEPT]: 'Research',
					},
				});
			}
			const res = await req('PATCH', `/Users/${u.id}`, { body: patchOp(...ops) });
			assertOkOrNoContent(res);
			const got = (await req('GET', `/Users/${u.id}`)).body;
			assert.equal(got.displayName, 'Amazing Grace');
			assert.equal(got.name.givenName, 'Amazing');
			assert.equal(got.name.familyName, 'Hopper-Murray');
			assert.equal(got.externalId, ext2);
			assert.equal(got[ENTERPRISE_URN]?.employeeNumber, '0043', JSON.stringify(got));
			assert.equal(got[ENTERPRISE_URN]?.department, 'Research');
			/* the work email is updated in place, not appended */
			const work = got.emails.filter((e) => e.type === 'work');
			assert.equal(work.length, 1, JSON.stringify(got.emails));
			assert.equal(work[0].value, mail2);
			assert.equal(work[0].primary, true, 'the other sub-attributes of the record stay');
			/* dotted and URN keys are sub-attributes, never literal attribute names */
			for (const k of Object.keys(got)) {
				if (k.startsWith('urn:'))
					assert.equal(k, ENTERPRISE_URN, `literal URN-qualified attribute ${k} stored`);
				else
					assert.ok(!k.includes('.'), `literal dotted attribute ${k} stored`);
			}
			for (const k of Object.keys(got[ENTERPRISE_URN]))
				assert.ok(!k.includes(':') && !k.includes('.'), `literal key ${k} in the extension`);
			assert.ok(!hasKeyDeep(got, 'name.givenName'));
			/* unrelated attributes survive */
			assert.equal(got.userName, u.userName);
			assert.equal(got.title, 'Rear Admiral');
			assert.equal(got.phoneNumbers.length, 2);
			/* and the new values are what the next cycle matches on */
			assertListResponse(await req('GET', '/Users', { params: [['filter', `externalId eq "${ext2}"`]] }), { total: 1 });
		});

		test(`add a single-valued string (${opName(flag, 'add')} nickName)`, async () => {
			const u = await entraCreate();
			const res = await req('PATCH', `/Users/${u.id}`,
				{ body: patchOp({ op: opName(flag, 'add'), path: 'nickName', value: 'Amazing' }) });
			assertOkOrNoContent(res);
			assert.equal((await req('GET', `/Users/${u.id}`)).body.nickName, 'Amazing');
		});

		test('manager set as a bare id string on the URN path', async () => {
			const boss = await entraCreate();
			const u = await entraCreate();
			const res = await req('PATCH', `/Users/${u.id}`,
				{ body: patchOp({ op: opName(flag, 'replace'), path: MANAGER, value: boss.id }) });
			assertOkOrNoContent(res);
			const got = (await req('GET', `/Users/${u.id}`)).body;
			assert.equal(got[ENTERPRISE_URN]?.manager?.value, boss.id, JSON.stringify(got[ENTERPRISE_URN]));
			assert.equal(got[ENTERPRISE_URN].employeeNumber, '0042');
		});

		test(`disable (${flag ? 'false' : '"False"'}) keeps the user readable and filterable, enable again`, async () => {
			const u = await entraCreate();
			const off = await req('PATCH', `/Users/${u.id}`,
				{ body: patchOp({ op: opName(flag, 'replace'), path: 'active', value: flag ? false : 'False' }) });
			const ob = assertOkOrNoContent(off);
			if (ob)
				assert.strictEqual(ob.active, false);
			const got = await req('GET', `/Users/${u.id}`);
			assert.equal(got.status, 200);
			assert.strictEqual(got.body.active, false, 'a JSON boolean false, not the string');
			const look = assertListResponse(await req('GET', '/Users',
				{ params: [['filter', `userName eq "${u.userName}"`]] }), { total: 1 });
			assert.strictEqual(look.Resources[0].active, false);
			/* re-assign / restore */
			const on = await req('PATCH', `/Users/${u.id}`,
				{ body: patchOp({ op: opName(flag, 'replace'), path: 'active', value: flag ? true : 'True' }) });
			assertOkOrNoContent(on);
			assert.strictEqual((await req('GET', `/Users/${u.id}`)).body.active, true);
		});

		bothForms('hard delete: 204, then 404 and gone from filters', async () => {
			const u = await entraCreate();
			const del = await req('DELETE', `/Users/${u.id}`);
			assert.equal(del.status, 204, del.text);
			assertScimError(await req('GET', `/Users/${u.id}`), 404);
			assertListResponse(await req('GET', '/Users', { params: [['filter', `userName eq "${u.userName}"`]] }), { total: 0 });
			assertScimError(await req('DELETE', `/Users/${u.id}`), 404);
		});
	});

	describe(`Entra ${title}: groups`, () => {
		bothForms('create with the Microsoft schema URN, read and match with excludedAttributes=members', async () => {
			const name = uniq('AAD Group');
			const body = entraGroupBody(name);
			const res = await req('POST', '/Groups', { body });
			assert.equal(res.status, 201, res.text);
			const g = res.body;
			assert.equal(g.displayName, name);
			assert.equal(g.externalId, body.externalId);
			assert.ok(g.schemas.includes(GROUP_URN));
			assert.equal(res.headers.location, g.meta.location);

			const get = await req('GET', `/Groups/${g.id}`, { params: [['excludedAttributes', 'members']] });
			assert.equal(get.status, 200);
			assert.equal(get.body.id, g.id);
			assert.equal(get.body.displayName, name);
			assert.ok(!('members' in get.body), `members excluded: ${get.text}`);

			const match = await req('GET', '/Groups', {
				params: [['excludedAttributes', 'members'], ['filter', `displayName eq "${name}"`]],
			});
			const mb = assertListResponse(match, { total: 1 });
			assert.equal(mb.Resources[0].id, g.id);
			assert.ok(!('members' in mb.Resources[0]));
			/* displayName is unique per tenant */
			assertScimError(await req('POST', '/Groups', { body: entraGroupBody(name) }), 409, 'uniqueness');
		});

		test('rename, add several members, remove only the listed members, delete', async () => {
			const users = [];
			for (let i = 0; i < 4; i++)
				users.push(await entraCreate());
			const [u1, u2, u3, u4] = users;
			const g = (await req('POST', '/Groups', { body: entraGroupBody(uniq('AAD Members')) })).body;

			/* rename */
			const name2 = uniq('AAD Renamed');
			let res = await req('PATCH', `/Groups/${g.id}`,
				{ body: patchOp({ op: opName(flag, 'replace'), path: 'displayName', value: name2 }) });
			assertOkOrNoContent(res);
			let cur = (await req('GET', `/Groups/${g.id}`)).body;
			assert.equal(cur.displayName, name2);

			/* add several in one PATCH, with "$ref": null */
			res = await req('PATCH', `/Groups/${g.id}`, {
				body: patchOp({
					op: opName(flag, 'add'), path: 'members',
					value: users.map((u) => ({ $ref: null, value: u.id })),
				}),
			});
			assertOkOrNoContent(res);
			cur = (await req('GET', `/Groups/${g.id}`)).body;
			assert.deepEqual(memberIds(cur), users.map((u) => u.id).sort());

			/* remove one member */
			const removeOne = flag
				? { op: 'remove', path: `members[value eq "${u1.id}"]` }
				: { op: 'Remove', path: 'members', value: [{ value: u1.id }] };
			res = await req('PATCH', `/Groups/${g.id}`, { body: patchOp(removeOne) });
			assertOkOrNoContent(res);
			cur = (await req('GET', `/Groups/${g.id}`)).body;
			assert.deepEqual(memberIds(cur), [u2.id, u3.id, u4.id].sort(),
				'only the listed member is removed, the group is not wiped');

			/* remove two more in one PATCH */
			const removeTwo = flag
				? [{ op: 'remove', path: `members[value eq "${u2.id}"]` }, { op: 'remove', path: `members[value eq "${u3.id}"]` }]
				: [{ op: 'Remove', path: 'members', value: [{ value: u2.id }, { value: u3.id }] }];
			res = await req('PATCH', `/Groups/${g.id}`, { body: patchOp(...removeTwo) });
			assertOkOrNoContent(res);
			cur = (await req('GET', `/Groups/${g.id}`)).body;
			assert.deepEqual(memberIds(cur), [u4.id]);

			/* the removed users still exist */
			for (const u of [u1, u2, u3])
				assert.equal((await req('GET', `/Users/${u.id}`)).status, 200);

			/* delete */
			const del = await req('DELETE', `/Groups/${g.id}`);
			assert.equal(del.status, 204, del.text);
			assertScimError(await req('GET', `/Groups/${g.id}`), 404);
			assert.equal((await req('GET', `/Users/${u4.id}`)).status, 200);
		});
	});

	if (flag) describe('Entra, either URL form: discovery', () => {
		bothForms('GET /Schemas lists the User and the Group schemas', async () => {
			const res = await req('GET', '/Schemas');
			assert.equal(res.status, 200, res.text);
			assertScimJson(res);
			assert.deepEqual(res.body.schemas, [LIST_URN]);
			const ids = res.body.Resources.map((s) => s.id);
			assert.ok(ids.includes(USER_URN), `${ids}`);
			assert.ok(ids.includes(GROUP_URN), `${ids}`);
			assert.ok(ids.includes(ENTERPRISE_URN), `${ids}`);
			for (const s of res.body.Resources)
				assert.deepEqual(s.schemas, [SCHEMA_URN]);
		});

		bothForms('GET /ServiceProviderConfig and /ResourceTypes answer 200', async () => {
			for (const ep of ['/ServiceProviderConfig', '/ResourceTypes']) {
				const res = await req('GET', ep);
				assert.equal(res.status, 200, `${ep}: ${res.text}`);
				assertScimJson(res);
			}
		});
	});
}

describe('Entra: the Microsoft group schema URN', () => {
	test('the Microsoft URN is accepted and ignored', async () => {
		const g = (await entra('POST', '/Groups', { body: entraGroupBody(uniq('AAD Schemas')) })).body;
		const got = (await entra('GET', `/Groups/${g.id}`)).body;
		assert.ok(got.schemas.includes(GROUP_URN));
		assert.ok(!(MS_GROUP_URN in got), 'no attribute named after the URN');
	});
});

describe('Entra: string booleans on create', () => {
	test('POST with "active": "True" (Microsoft\'s reference tests) stores a boolean', async () => {
		const body = entraUserBody(`${uniq('strbool')}@contoso.example`, { active: 'True' });
		const res = await entra('POST', '/Users', { body });
		assert.equal(res.status, 201, res.text);
		assert.strictEqual(res.body.active, true);
		const off = await entra('POST', '/Users', { body: entraUserBody(`${uniq('strbool')}@contoso.example`, { active: 'False' }) });
		assert.equal(off.status, 201, off.text);
		assert.strictEqual(off.body.active, false);
	});
});

describe('Entra: GETs without an Accept header', () => {
	test('answer application/scim+json, not 406', async () => {
		const res = await scim('GET', '/Users?count=1', { headers: { accept: null } });
		assert.equal(res.status, 200, res.text);
		assertScimJson(res);
	});
});
