// test/http/nginx_copy.mjs - a copy of the test stack's rendered nginx.conf
// on a free port, for the tests that need other limits than the stack's
// (test/http/limits.test.mjs, test/http/adversarial.test.mjs).  Same maps,
// locations, error pages and upstream PostgREST; its own pid file, logs and
// replay socket in a temporary directory.

import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';

import { sleep } from './lib.mjs';

/* the stack's rendered nginx.conf, or null when there is no stack directory */
export function stackNginxConf() {
	const dir = process.env.SCIM_STACK_DIR;
	if (!dir || !existsSync(`${dir}/nginx.conf`))
		return null;
	return readFileSync(`${dir}/nginx.conf`, 'utf8');
}

/* a free TCP port on 127.0.0.1 */
export function freePort() {
	return new Promise((resolve) => {
		const srv = net.createServer().listen(0, '127.0.0.1', () => {
			const p = srv.address().port;
			srv.close(() => resolve(p));
		});
	});
}

/*
 * Start a copy of the stack's nginx with edit(conf) applied to its
 * configuration (after it is moved to a free port and a private directory).
 * Returns { port, base, accessLog(), stop() }.
 */
export async function startNginxCopy(edit = (conf) => conf) {
	const stack = process.env.SCIM_STACK_DIR;
	const port = await freePort();
	const tmp = mkdtempSync(join(tmpdir(), 'scim-nginx-'));
	chmodSync(tmp, 0o755);
	const conf = edit(stackNginxConf()
		.replace(/^\s*listen 127\.0\.0\.1:\d+ ssl;$/m, '')
		.replace(/listen 127\.0\.0\.1:\d+;/, `listen 127.0.0.1:${port};`)
		.replace(/^pid [^;]*;/m, `pid ${tmp}/nginx.pid;`)
		.replace(/^error_log [^;]*;/m, `error_log ${tmp}/error.log warn;`)
		.replace(/^(\s*)access_log [^;]*;/m, `$1access_log ${tmp}/access.log scim;`)
		.split(`${stack}/nginx-sock/replay.sock`).join(`${tmp}/replay.sock`));
	writeFileSync(`${tmp}/nginx.conf`, conf);
	const bin = process.env.SCIM_NGINX_BIN || (existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx');
	execFileSync(bin, ['-q', '-c', `${tmp}/nginx.conf`, '-p', `${tmp}/`], { stdio: ['ignore', 'ignore', 'pipe'] });
	for (let i = 0; i < 50 && !existsSync(`${tmp}/nginx.pid`); i++)
		await sleep(100);
	return {
		port,
		base: `http://127.0.0.1:${port}/scim/v2`,
		accessLog() {
			return existsSync(`${tmp}/access.log`) ? readFileSync(`${tmp}/access.log`, 'utf8') : '';
		},
		async stop() {
			try {
				const pid = Number(readFileSync(`${tmp}/nginx.pid`, 'utf8').trim());
				process.kill(pid, 'SIGQUIT');
				for (let i = 0; i < 50; i++) {
					process.kill(pid, 0);		/* throws once it is gone */
					await sleep(100);
				}
			} catch {
				/* gone */
			}
			rmSync(tmp, { recursive: true, force: true });
		},
	};
}
