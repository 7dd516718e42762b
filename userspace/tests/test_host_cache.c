// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_host_cache.c - the lookup caches of host.c and objects.c against
 * what they cache: routes learnt, updated and looked up through the
 * (VM, GSI) cache (keys sharing a cache slot, the route block growing
 * under the cache, the key (0, 0) an empty slot must not match), and
 * devices found by their raw 16-byte name.
 */
#include "helpers.h"
#include "engine_internal.h"

static struct vt_engine *new_engine(void)
{
	struct vt_engine *e;

	assert_int_equal(vt_engine_new(NULL, &e), 0);
	return e;
}

/* The route (or, without one, arm64's identity map) of every (VM, GSI) */
static void check_routes(struct vt_engine *e, unsigned int n,
			 uint32_t gen)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint32_t vm = i % 9, gsi = i / 9;

		assert_int_equal(vt_gsi_to_intid(e, vm, gsi),
				 1000 + i * 3 + gen);
	}
	/* never learnt: the identity route, cache or no cache */
	for (i = 0; i < 64; i++)
		assert_int_equal(vt_gsi_to_intid(e, 200 + i, i),
				 i + VT_SPI_BASE);
	assert_int_equal(vt_gsi_to_intid(e, 0, VT_NO_GSI), VT_NO_INTID);
}

static void test_routes(void **state)
{
	struct vt_engine *e = new_engine();
	unsigned int i, n;

	(void)state;
	/* before any route: no block, no cache */
	assert_int_equal(vt_gsi_to_intid(e, 0, 0), VT_SPI_BASE);
	assert_int_equal(vt_gsi_to_intid(e, 1000, 5), 5 + VT_SPI_BASE);

	/* an update through the cache is seen by the next lookup */
	vt_route_learn(e, 1000, 3, 40);
	assert_int_equal(vt_gsi_to_intid(e, 1000, 3), 40);
	vt_route_learn(e, 1000, 3, 77);
	assert_int_equal(vt_gsi_to_intid(e, 1000, 3), 77);

	/* (1000, 0) and (1008, 0) share a cache slot: each its own route */
	vt_route_learn(e, 1000, 0, 50);
	vt_route_learn(e, 1008, 0, 51);
	for (i = 0; i < 4; i++) {
		assert_int_equal(vt_gsi_to_intid(e, 1000, 0), 50);
		assert_int_equal(vt_gsi_to_intid(e, 1008, 0), 51);
	}
	vt_route_learn(e, 1000, 0, 52);
	assert_int_equal(vt_gsi_to_intid(e, 1008, 0), 51);
	assert_int_equal(vt_gsi_to_intid(e, 1000, 0), 52);
	vt_engine_free(e);

	/*
	 * Routes (VM 0..8, GSI 0..) learnt one by one, every one looked up
	 * after each learn: the block grows 16 -> 32 -> ... -> 512 under the
	 * cache (VM 0, GSI 0 is the key that a zeroed slot would match).
	 */
	e = new_engine();
	for (n = 1; n <= 300; n++) {
		i = n - 1;
		vt_route_learn(e, i % 9, i / 9, 1000 + i * 3);
		check_routes(e, n, 0);
	}
	/* updates of every route, then every lookup */
	for (i = 0; i < 300; i++)
		vt_route_learn(e, i % 9, i / 9, 1000 + i * 3 + 1);
	check_routes(e, 300, 1);
	vt_engine_free(e);
}

static void raw_name(char raw[16], const char *name)
{
	memset(raw, 0, 16);
	memcpy(raw, name, strlen(name));
}

static void test_devs(void **state)
{
	struct vt_engine *e = new_engine();
	struct vt_dev *d[40];
	char raw[16], name[24];
	unsigned int i, r;

	(void)state;
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "0000:%02x:%02x.0", i / 8 + 1,
			 i % 8);
		raw_name(raw, name);
		d[i] = vt_dev_get_raw(e, raw);
		assert_non_null(d[i]);
		assert_string_equal(d[i]->name, name);
		/* every device so far: the same one, each time */
		for (r = 0; r <= i; r++) {
			snprintf(name, sizeof(name), "0000:%02x:%02x.0",
				 r / 8 + 1, r % 8);
			raw_name(raw, name);
			assert_ptr_equal(vt_dev_get_raw(e, raw), d[r]);
			assert_ptr_equal(vt_dev_get(e, name), d[r]);
		}
	}
	/* garbage after the NUL: the same device as its name */
	raw_name(raw, "0000:01:00.0");
	raw[14] = 'x';
	assert_ptr_equal(vt_dev_get_raw(e, raw), d[0]);
	/* an empty name is "?" */
	memset(raw, 0, 16);
	assert_ptr_equal(vt_dev_get_raw(e, raw), vt_dev_get(e, "?"));
	/* a name one byte off is another device */
	raw_name(raw, "0000:01:00.1");
	assert_ptr_not_equal(vt_dev_get_raw(e, raw), d[0]);
	assert_ptr_equal(vt_dev_get_raw(e, raw), vt_dev_get(e, "0000:01:00.1"));
	vt_engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_devs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
