# pg_drift — PGXS build.
#
#   make                      build the module
#   make install              install it into the PostgreSQL found by PG_CONFIG
#   make installcheck         pg_regress against a running server (PGHOST/PGPORT)
#   make tapcheck             TAP tests (test/t), each starting its own cluster
#   make unitcheck            server-free tests of the pure statistics code
#
# The install script is assembled from src/sql/*.sql in name order, so that
# each SQL file holds one family of objects and reads like documentation.
# Released versions' scripts are frozen in src/sql/releases/ and upgrade
# scripts live in src/sql/updates/; both are installed as they are, so that
# ALTER EXTENSION ... UPDATE has a path from every release to this version.

EXTENSION    = pg_drift
EXTVERSION   = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" pg_drift.control)
MODULE_big   = pg_drift
OBJS         = $(patsubst %.c,%.o,$(sort $(wildcard src/*/*.c)))
DATA_built   = $(EXTENSION)--$(EXTVERSION).sql
DATA         = $(wildcard src/sql/releases/*.sql src/sql/updates/*.sql)

REGRESS      = $(sort $(patsubst sql/%.sql,%,$(wildcard sql/*.sql)))
REGRESS_OPTS = --inputdir=. --load-extension=$(EXTENSION)
PROVE_TESTS  = $(sort $(wildcard test/t/*.pl))
EXTRA_CLEAN  = $(EXTENSION)--*.sql results regression.diffs regression.out tmp_check

PG_CONFIG   ?= pg_config
PG_CPPFLAGS  = -I$(srcdir)/src
PG_CFLAGS    = -Wall -Wextra -Werror -Wno-unused-parameter -Wno-sign-compare \
               -Wno-missing-field-initializers -Wmissing-prototypes

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS tracks no header dependencies here: rebuild everything when a header changes.
$(OBJS): $(wildcard src/*/*.h)

$(EXTENSION)--$(EXTVERSION).sql: $(sort $(wildcard src/sql/*.sql))
	cat $^ > $@

.PHONY: unitcheck
unitcheck:
	$(MAKE) -C test/stats check REFDIR=$(CURDIR)/test/reference

# TAP tests run on their own (not from installcheck): they start their own
# clusters and need no running server.  Without --enable-tap-tests PGXS's
# prove_installcheck only echoes a note and succeeds; that must be a failure
# here, or a server built without TAP support would pass every TAP test.
.PHONY: tapcheck
tapcheck:
ifneq ($(enable_tap_tests),yes)
	@echo "tapcheck: the PostgreSQL at $(PG_CONFIG) was built without --enable-tap-tests; cannot run test/t" >&2
	@exit 1
endif
	$(prove_installcheck)

# pg_drift_listen (tools/), the LISTEN client, is built and installed with
# the extension.
.PHONY: tools-all tools-install tools-clean
all: tools-all
install: tools-install
clean: tools-clean
tools-all:
	$(MAKE) -C tools PG_CONFIG=$(PG_CONFIG)
tools-install:
	$(MAKE) -C tools install PG_CONFIG=$(PG_CONFIG)
tools-clean:
	$(MAKE) -C tools clean PG_CONFIG=$(PG_CONFIG)
