# Makefile for the scim extension
#
# PGXS builds the extension; the other targets are thin wrappers around
# scripts/ (see README.md).

EXTENSION = scim
EXTVERSION = $(shell grep default_version $(EXTENSION).control | sed -e "s/default_version[[:space:]]*=[[:space:]]*'\([^']*\)'/\1/")
MODULE_big = scim
PGFILEDESC = "scim - SCIM 2.0 service provider"

# Pure parsers first (no backend dependency), then the backend modules.
PURE_OBJS = \
	src/json_parse.o \
	src/filter_parse.o \
	src/uri_parse.o \
	src/pure_str.o

OBJS = \
	$(PURE_OBJS) \
	src/pure_backend.o \
	src/error.o \
	src/json_out.o \
	src/schema.o \
	src/email_keys.o \
	src/extension.o \
	src/spi_util.o \
	src/tenant_cache.o \
	src/tenant.o \
	src/token.o \
	src/validate.o \
	src/filter_eval.o \
	src/filter_sql.o \
	src/query.o \
	src/removed.o \
	src/patch.o \
	src/resource.o \
	src/key_fetch.o \
	src/user.o \
	src/group.o \
	src/discovery.o \
	src/project.o \
	src/api.o \
	src/bulk.o \
	src/dispatch.o \
	src/scim.o

# The install script of this version is generated from src/sql/*.sql, in
# name order.  upgrade/ holds what released versions left behind, installed
# as it is: the frozen install script of each release (scim--X.sql) and the
# upgrade script of each release to the next (scim--A--B.sql); see
# docs/operations.md, "Upgrades" and "Releasing".  A frozen script of this
# very version (between its freeze and the bump) is the generated one.
SQL_SOURCES = $(sort $(wildcard src/sql/*.sql))
SQL_LIST = sql_built/sources.list
DATA_built = sql_built/$(EXTENSION)--$(EXTVERSION).sql
DATA = $(filter-out upgrade/$(EXTENSION)--$(EXTVERSION).sql,$(sort $(wildcard upgrade/$(EXTENSION)--*.sql)))
EXTRA_CLEAN = sql_built $(OBJS:.o=.d)

# The regression tests also load scim_test, the test aids: a test-only
# extension installed by scripts/test.sh (make -C test/scim_test install),
# never by `make install` (test/README.md).
REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --inputdir=. --load-extension=pgcrypto --load-extension=$(EXTENSION) --load-extension=scim_test
ISOLATION = $(patsubst specs/%.spec,%,$(sort $(wildcard specs/*.spec)))
ISOLATION_OPTS = --load-extension=pgcrypto --load-extension=$(EXTENSION)

PG_CONFIG ?= pg_config
# -MMD -MP: each object is compiled with a dependency file (.d, beside the
# .o) listing the headers it read, included below, so changing a header
# rebuilds the objects that use it.  The flags go in PG_CFLAGS, not
# PG_CPPFLAGS: CPPFLAGS also reaches the clang bitcode compile, whose
# dependency file would overwrite the compiler's with rules for the
# bitcode file alone.
PG_CPPFLAGS = -Isrc
PG_CFLAGS = -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Wno-sign-compare -MMD -MP $(SCIM_CFLAGS)
SHLIB_LINK =

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# After the PGXS include, so that no rule of a .d file becomes the default
# target.
-include $(OBJS:.o=.d)

# The install script depends on the files and on their list: SQL_LIST is
# rewritten only when the set of src/sql/*.sql names changes (a file added,
# removed or renamed), and then the script is regenerated even though no
# remaining file is newer than it.
$(SQL_LIST): FORCE
	@mkdir -p sql_built
	@printf '%s\n' $(SQL_SOURCES) | cmp -s - $@ || printf '%s\n' $(SQL_SOURCES) > $@

sql_built/$(EXTENSION)--$(EXTVERSION).sql: $(SQL_SOURCES) $(SQL_LIST)
	@mkdir -p sql_built
	cat $(SQL_SOURCES) > $@

.PHONY: FORCE
FORCE:

# -- developer and operator commands ---------------------------------------

.PHONY: deps run start stop test unit fuzz bench check-asan valgrind

deps:
	scripts/deps.sh

run: deps
	$(MAKE) install
	scripts/stack.sh run

start: deps
	$(MAKE) install
	scripts/stack.sh start

stop:
	scripts/stack.sh stop

test: deps
	$(MAKE) clean >/dev/null
	$(MAKE) SCIM_CFLAGS="-Werror"
	$(MAKE) install
	scripts/test.sh

unit:
	$(MAKE) -C test/unit

fuzz:
	$(MAKE) -C test/fuzz run

# The extension under AddressSanitizer + UBSan (regress, pgTAP and HTTP
# suites), or the regression suite under valgrind, each on a private stack
# and a private copy of the server tree: the installed scim.so is not
# touched (scripts/asan.sh, docs/reliability.md).
check-asan: deps
	scripts/asan.sh

valgrind: deps
	scripts/asan.sh --valgrind

# The benchmark: private stacks, every scenario against its floor, the table
# on stdout, bench/results/<date>.json and .png (bench/README.md).
bench: deps
	$(MAKE) install
	bench/run.sh
