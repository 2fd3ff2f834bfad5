/*
 * category_table.h
 *		A hash table from category strings (byte strings) to a count or index.
 *
 * Used to build categorical profiles (category -> count), to locate a row's
 * category among a baseline's categories (category -> index) and to count
 * the raw text[] forms of the categorical tests.  Open addressing with linear
 * probing; the table doubles at 50% load, so lookups stay one or two probes.
 */
#ifndef PG_DRIFT_CATEGORY_TABLE_H
#define PG_DRIFT_CATEGORY_TABLE_H

#include "postgres.h"

typedef struct CategoryEntry
{
	const char *bytes;			/* NULL: empty slot */
	int32		len;
	uint32		hash;
	int64		value;			/* count, or index */
} CategoryEntry;

typedef struct CategoryTable
{
	MemoryContext cxt;			/* owns the slots and copied strings */
	uint32		mask;			/* slots - 1 (a power of two minus one) */
	int32		n;				/* entries in use */
	CategoryEntry *slots;
} CategoryTable;

extern CategoryTable *category_table_create(MemoryContext cxt, int32 expected);
extern CategoryEntry *category_table_lookup(const CategoryTable *t, const char *s, int32 len);
extern CategoryEntry *category_table_insert(CategoryTable *t, const char *s, int32 len,
											bool copy, bool *found);
extern CategoryEntry **category_table_sorted(const CategoryTable *t);

#endif							/* PG_DRIFT_CATEGORY_TABLE_H */
