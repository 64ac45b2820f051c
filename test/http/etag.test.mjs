// test/http/etag.test.mjs - versioning with ETags (RFC 7644 §3.14): the
// ETag header equals meta.version on every answer that carries a resource,
// If-None-Match gives 304, a stale If-Match gives 412 and changes nothing,
// and the version moves on every change (membership included) and only
// then.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';

import {
	scim, create, getOk, assertScimError, userResource, groupResource, PATCH_URN,
} from './lib.mjs';

const patch = (...ops) => ({ schemas: [PATCH_URN], Operations: ops });

/* ETag header present, weak or strong, and equal to meta.version (a 204
 * has no body: its tag is checked against the resource read back) */
function assertEtag(res) {
	const tag = res.headers.etag;
	assert.ok(tag, `an ETag header on ${res.status}`);
	assert.match(tag, /^(W\/)?"[^"]*"$/, `ETag syntax: ${tag}`);
	if (res.status === 204)
		assert.equal(res.text, '', '204 has no body');
	else
		assert.equal(tag, res.body.meta.version, 'ETag header = meta.version');
	return tag;
}

/* PATCH answers 200 with a User, 204 with a Group (no member list to send) */
const patchStatus = (kind) => (kind === 'Users' ? 200 : 204);

/* PATCH, then the resource as the answer gave it or as read back after a 204 */
async function patchRead(kind, id, options) {
	const res = await scim('PATCH', `/${kind}/${id}`, options);
	assert.equal(res.status, patchStatus(kind), res.text);
	if (res.status === 200)
		return { res, body: res.body };
	const body = await getOk(`/${kind}/${id}`);
	assert.equal(res.headers.etag, body.meta.version, '204 ETag = meta.version read back');
	return { res, body };
}

for (const kind of ['Users', 'Groups']) {
	const make = () => (kind === 'Users' ? userResource() : groupResource());
	const change = (n) => (kind === 'Users'
		? { op: 'replace', path: 'title', value: `title ${n}` }
		: { op: 'replace', path: 'displayName', value: `renamed ${n} ${Date.now()} ${Math.random()}` });
	const replacement = (r) => (kind === 'Users'
		? userResource(r.userName, { title: 'replaced' })
		: groupResource(`${r.displayName} replaced`));

	describe(`ETag on /${kind}`, () => {
		test('POST, GET, PUT and PATCH send ETag = meta.version; Location = meta.location on 201', async () => {
			const post = await scim('POST', `/${kind}`, { body: make() });
			assert.equal(post.status, 201, post.text);
			const t1 = assertEtag(post);
			assert.equal(post.headers.location, post.body.meta.location);
			assert.ok(/^https?:\/\//.test(post.headers.location), `absolute Location: ${post.headers.location}`);
			assert.ok(post.headers.location.endsWith(`/${kind}/${post.body.id}`));
			const id = post.body.id;

			const get = await scim('GET', `/${kind}/${id}`);
			assert.equal(get.status, 200);
			assert.equal(assertEtag(get), t1, 'unchanged resource, same tag');
			assert.equal(get.headers.location, undefined, 'no Location on 200');

			const put = await scim('PUT', `/${kind}/${id}`, { body: replacement(post.body) });
			assert.equal(put.status, 200, put.text);
			const t2 = assertEtag(put);
			assert.notEqual(t2, t1, 'PUT moves the version');

			const pat = await scim('PATCH', `/${kind}/${id}`, { body: patch(change(1)) });
			assert.equal(pat.status, patchStatus(kind), pat.text);
			const t3 = assertEtag(pat);
			assert.notEqual(t3, t2, 'PATCH moves the version');
			assert.equal(assertEtag(await scim('GET', `/${kind}/${id}`)), t3);
		});

		test('If-None-Match: the current tag is 304 without a body, a stale one 200', async () => {
			const r = await create(`/${kind}`, make());
			const tag = r.meta.version;
			const same = await scim('GET', `/${kind}/${r.id}`, { headers: { 'if-none-match': tag } });
			assert.equal(same.status, 304, same.text);
			assert.equal(same.text, '', '304 has no body');
			const star = await scim('GET', `/${kind}/${r.id}`, { headers: { 'if-none-match': '*' } });
			assert.equal(star.status, 304);
			await scim('PATCH', `/${kind}/${r.id}`, { body: patch(change(2)) });
			const stale = await scim('GET', `/${kind}/${r.id}`, { headers: { 'if-none-match': tag } });
			assert.equal(stale.status, 200, stale.text);
			assert.notEqual(assertEtag(stale), tag);
		});

		test('If-Match: stale is 412 on PUT, PATCH and DELETE and nothing changes; current and * pass', async () => {
			const r = await create(`/${kind}`, make());
			const old = r.meta.version;
			const p1 = await patchRead(kind, r.id, { body: patch(change(3)) });
			const cur = p1.body.meta.version;
			assert.notEqual(cur, old);

			assertScimError(await scim('PUT', `/${kind}/${r.id}`,
				{ body: replacement(p1.body), headers: { 'if-match': old } }), 412);
			assertScimError(await scim('PATCH', `/${kind}/${r.id}`,
				{ body: patch(change(4)), headers: { 'if-match': old } }), 412);
			assertScimError(await scim('DELETE', `/${kind}/${r.id}`, { headers: { 'if-match': old } }), 412);
			const still = await getOk(`/${kind}/${r.id}`);
			assert.equal(still.meta.version, cur, 'nothing changed after the 412s');
			assert.deepEqual(still, p1.body);

			await patchRead(kind, r.id, { body: patch(change(5)), headers: { 'if-match': cur } });
			const ok2 = await patchRead(kind, r.id, { body: patch(change(6)), headers: { 'if-match': '*' } });
			const del = await scim('DELETE', `/${kind}/${r.id}`, { headers: { 'if-match': ok2.body.meta.version } });
			assert.equal(del.status, 204, del.text);
		});

		test('meta: created stays, lastModified moves, a no-op PATCH moves nothing', async () => {
			const r = await create(`/${kind}`, make());
			const c = change(7);
			const p1 = (await patchRead(kind, r.id, { body: patch(c) })).body;
			assert.equal(p1.meta.created, r.meta.created);
			assert.ok(Date.parse(p1.meta.lastModified) >= Date.parse(r.meta.lastModified));
			const again = await patchRead(kind, r.id, { body: patch(c) });
			assert.equal(again.body.meta.version, p1.meta.version, 'same value again: version unchanged');
			assert.equal(again.body.meta.lastModified, p1.meta.lastModified);
			assert.equal(again.res.headers.etag, p1.meta.version);
		});
	});
}

describe('ETag: group membership', () => {
	test('adding and removing a member moves the group version', async () => {
		const u = await create('/Users', userResource());
		const g = await create('/Groups', groupResource());
		const add = await scim('PATCH', `/Groups/${g.id}`,
			{ body: patch({ op: 'add', path: 'members', value: [{ value: u.id }] }) });
		assert.equal(add.status, 204, add.text);
		const t1 = assertEtag(add);
		assert.notEqual(t1, g.meta.version);
		/* adding it again is a no-op */
		const same = await scim('PATCH', `/Groups/${g.id}`,
			{ body: patch({ op: 'add', path: 'members', value: [{ value: u.id }] }) });
		assert.equal(assertEtag(same), t1);
		const rem = await scim('PATCH', `/Groups/${g.id}`,
			{ body: patch({ op: 'remove', path: `members[value eq "${u.id}"]` }) });
		assert.notEqual(assertEtag(rem), t1);
	});

	test('PATCH /Groups: 204 by default, 200 shaped by attributes or excludedAttributes', async () => {
		const u = await create('/Users', userResource());
		const v = await create('/Users', userResource());
		const g = await create('/Groups', groupResource());
		const add = (user) => patch({ op: 'add', path: 'members', value: [{ value: user.id }] });
		const bare = await scim('PATCH', `/Groups/${g.id}`, { body: add(u) });
		assert.equal(bare.status, 204, bare.text);
		const without = await scim('PATCH', `/Groups/${g.id}?excludedAttributes=members`, { body: add(v) });
		assert.equal(without.status, 200, without.text);
		assert.equal(without.body.members, undefined, 'members left out as asked');
		assert.equal(without.body.displayName, g.displayName);
		assertEtag(without);
		const rem = await scim('PATCH', `/Groups/${g.id}?attributes=members`,
			{ body: patch({ op: 'remove', path: `members[value eq "${u.id}"]` }) });
		assert.equal(rem.status, 200, rem.text);
		assert.deepEqual(rem.body.members.map((m) => m.value), [v.id]);
		assert.equal(rem.body.displayName, undefined, 'only the attributes asked for');
		assert.equal(rem.headers.etag, (await getOk(`/Groups/${g.id}`)).meta.version);
	});

	test('a stale If-Match on a membership change is 412 and adds nobody', async () => {
		const u = await create('/Users', userResource());
		const g = await create('/Groups', groupResource());
		await scim('PATCH', `/Groups/${g.id}`, { body: patch({ op: 'replace', path: 'displayName', value: `${g.displayName} v2` }) });
		const res = await scim('PATCH', `/Groups/${g.id}`, {
			body: patch({ op: 'add', path: 'members', value: [{ value: u.id }] }),
			headers: { 'if-match': g.meta.version },
		});
		assertScimError(res, 412);
		assert.deepEqual((await getOk(`/Groups/${g.id}`)).members ?? [], []);
	});
});

describe('ETag: a user\'s representation includes its groups', () => {
	test('after the user joins a group, If-None-Match with the old tag is not 304', async () => {
		const u = await create('/Users', userResource());
		const g = await create('/Groups', groupResource());
		const add = await scim('PATCH', `/Groups/${g.id}`,
			{ body: patch({ op: 'add', path: 'members', value: [{ value: u.id }] }) });
		assert.equal(add.status, 204, add.text);
		const now = await getOk(`/Users/${u.id}`);
		assert.ok((now.groups ?? []).some((x) => x.value === g.id), 'the user lists the group');
		/* the representation changed, so the old tag must not validate it */
		const cond = await scim('GET', `/Users/${u.id}`, { headers: { 'if-none-match': u.meta.version } });
		assert.equal(cond.status, 200,
			`304 for a changed representation (groups): the old tag ${u.meta.version} still matches ${now.meta.version}`);
		assert.notEqual(now.meta.version, u.meta.version);
	});
});
