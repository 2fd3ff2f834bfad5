/*
 * category_table.c
 *		Hash table from category strings to a count or an index; see
 *		category_table.h.
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "utils/memutils.h"

#include "drift/category_table.h"
#include "profile/profile.h"

/* A table with room for about expected entries before it grows. */
CategoryTable *
category_table_create(MemoryContext cxt, int32 expected)
{
	CategoryTable *t = MemoryContextAllocZero(cxt, sizeof(CategoryTable));
	Size		slots = 16;

	while (slots < (Size) expected * 2)
		slots *= 2;
	t->cxt = cxt;
	t->mask = (uint32) (slots - 1);
	t->slots = MemoryContextAllocExtended(cxt, sizeof(CategoryEntry) * slots, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	return t;
}

static inline uint32
category_hash(const char *s, int32 len)
{
	return hash_bytes((const unsigned char *) s, len);
}

/* The entry for s, or NULL. */
CategoryEntry *
category_table_lookup(const CategoryTable *t, const char *s, int32 len)
{
	uint32		h = category_hash(s, len);
	uint32		i = h & t->mask;

	for (;;)
	{
		CategoryEntry *e = &t->slots[i];

		if (e->bytes == NULL)
			return NULL;
		if (e->hash == h && e->len == len && memcmp(e->bytes, s, len) == 0)
			return e;
		i = (i + 1) & t->mask;
	}
}

/* Double the number of slots and re-place every entry. */
static void
category_table_grow(CategoryTable *t)
{
	uint32		old_n = t->mask + 1;
	CategoryEntry *old = t->slots;
	uint32		new_mask = old_n * 2 - 1;

	if ((Size) old_n * 2 * sizeof(CategoryEntry) > MaxAllocHugeSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many distinct categories")));
	t->slots = MemoryContextAllocExtended(t->cxt, sizeof(CategoryEntry) * (Size) (new_mask + 1), MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	t->mask = new_mask;
	for (uint32 k = 0; k < old_n; k++)
	{
		uint32		i;

		if (old[k].bytes == NULL)
			continue;
		i = old[k].hash & new_mask;
		while (t->slots[i].bytes != NULL)
			i = (i + 1) & new_mask;
		t->slots[i] = old[k];
	}
	pfree(old);
}

/*
 * The entry for s, created with value 0 when absent (*found says which).
 * With copy the string is copied into the table's context; otherwise the
 * caller keeps it alive as long as the table.
 */
CategoryEntry *
category_table_insert(CategoryTable *t, const char *s, int32 len, bool copy, bool *found)
{
	uint32		h = category_hash(s, len);
	uint32		i = h & t->mask;
	CategoryEntry *e;

	for (;;)
	{
		e = &t->slots[i];
		if (e->bytes == NULL)
			break;
		if (e->hash == h && e->len == len && memcmp(e->bytes, s, len) == 0)
		{
			*found = true;
			return e;
		}
		i = (i + 1) & t->mask;
	}
	*found = false;
	if ((Size) (t->n + 1) * 2 > (Size) t->mask + 1)
	{
		category_table_grow(t);
		return category_table_insert(t, s, len, copy, found);
	}
	if (copy)
	{
		char	   *c = MemoryContextAlloc(t->cxt, len + 1);

		memcpy(c, s, len);
		c[len] = '\0';
		s = c;
	}
	e->bytes = s;
	e->len = len;
	e->hash = h;
	e->value = 0;
	t->n++;
	return e;
}

static int
entry_ptr_cmp(const void *a, const void *b)
{
	const CategoryEntry *x = *(const CategoryEntry *const *) a;
	const CategoryEntry *y = *(const CategoryEntry *const *) b;

	return category_cmp(x->bytes, x->len, y->bytes, y->len);
}

/* The entries in ascending bytewise order of their strings (palloc'd array of t->n). */
CategoryEntry **
category_table_sorted(const CategoryTable *t)
{
	CategoryEntry **out = palloc_extended(sizeof(CategoryEntry *) * Max(t->n, 1), MCXT_ALLOC_HUGE);
	int32		k = 0;

	for (uint32 i = 0; i <= t->mask; i++)
		if (t->slots[i].bytes != NULL)
			out[k++] = &t->slots[i];
	qsort(out, k, sizeof(CategoryEntry *), entry_ptr_cmp);
	return out;
}
