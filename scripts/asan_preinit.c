/*-------------------------------------------------------------------------
 *
 * asan_preinit.c
 *	  Initialize the ASan runtime before a library constructor holds one
 *	  of glibc's locale locks (scripts/asan.sh, `make check-asan`).
 *
 * The server binary is not instrumented: the ASan runtime is preloaded and
 * initializes itself on the first call it intercepts.  On Debian 12 that
 * first call is a malloc() made by a library constructor (libp11-kit's
 * newlocale(), krb5's bindtextdomain()) while glibc holds
 * __libc_setlocale_lock or _nl_state_lock for writing.  The runtime's
 * initialization calls dlerror(), which translates its message with
 * dcgettext(), which takes the same lock for reading: the lock is left
 * corrupted and the next locale call (bindtextdomain in main(), or
 * freelocale at exit) waits forever, so even `postgres -V` hangs.
 *
 * Preloaded right after the runtime, this library interposes the locale
 * entry points that allocate under those locks and makes the runtime
 * initialize first, with no lock held, then calls glibc.  Built by
 * scripts/asan.sh into its private tree; never installed.
 *
 * scripts/asan_preinit.c
 *
 *-------------------------------------------------------------------------
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <libintl.h>
#include <locale.h>
#include <stdlib.h>

extern void __asan_init(void) __attribute__((weak));

static int	ready = 0;

/* make sure the ASan runtime is initialized (idempotent, cheap) */
static void
asan_ready(void)
{
	if (ready)
		return;
	ready = 1;
	if (__asan_init)
		__asan_init();
	else
	{
		void	   *volatile p = malloc(1);

		free(p);
	}
}

#undef gettext
#undef dgettext
#undef dcgettext

typedef locale_t (*newlocale_fn) (int, const char *, locale_t);
typedef locale_t (*duplocale_fn) (locale_t);
typedef char *(*setlocale_fn) (int, const char *);
typedef char *(*str2_fn) (const char *, const char *);
typedef char *(*str1_fn) (const char *);
typedef char *(*dcgettext_fn) (const char *, const char *, int);

/* initialize the runtime, then find the next definition of name */
#define REAL(name, type) \
	static type real_ ## name = NULL; \
	asan_ready(); \
	if (real_ ## name == NULL) \
		real_ ## name = (type) dlsym(RTLD_NEXT, #name)

locale_t
newlocale(int mask, const char *locale, locale_t base)
{
	REAL(newlocale, newlocale_fn);
	return real_newlocale(mask, locale, base);
}

locale_t
duplocale(locale_t l)
{
	REAL(duplocale, duplocale_fn);
	return real_duplocale(l);
}

char *
setlocale(int category, const char *locale)
{
	REAL(setlocale, setlocale_fn);
	return real_setlocale(category, locale);
}

char *
bindtextdomain(const char *domain, const char *dir)
{
	REAL(bindtextdomain, str2_fn);
	return real_bindtextdomain(domain, dir);
}

char *
bind_textdomain_codeset(const char *domain, const char *codeset)
{
	REAL(bind_textdomain_codeset, str2_fn);
	return real_bind_textdomain_codeset(domain, codeset);
}

char *
textdomain(const char *domain)
{
	REAL(textdomain, str1_fn);
	return real_textdomain(domain);
}

char *
dcgettext(const char *domain, const char *msgid, int category)
{
	REAL(dcgettext, dcgettext_fn);
	return real_dcgettext(domain, msgid, category);
}

char *
dgettext(const char *domain, const char *msgid)
{
	REAL(dgettext, str2_fn);
	return real_dgettext(domain, msgid);
}

char *
gettext(const char *msgid)
{
	REAL(gettext, str1_fn);
	return real_gettext(msgid);
}
