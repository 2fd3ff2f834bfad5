/*
 * baseline_index.c
 *		Building the guide table of a BaselineIndex.
 *
 * Values are spread over equal-width buckets of the baseline's finite range
 * ("interpolation guide", Knuth TAOCP vol. 3, 6.2.1); start[] records where
 * each bucket's values begin.  Because the bucket function is monotone, the
 * values below start[b] are all smaller than any x in bucket b and those from
 * start[b+1] on are all larger, so a search confined to the bucket is exact
 * whatever the rounding of the bucket arithmetic.
 */
#include "postgres.h"

#include <math.h>

#include "baseline/baseline_index.h"

#define MAX_BUCKETS (1 << 22)

/*
 * Baseline values per guide bucket, on average.  One per value would make
 * the search shortest, but the guide would then be as large as the values
 * (0.4 MB for 100k) and compete with them and the counts for the cache;
 * with four, a bucket's candidates still share a cache line or two and the
 * guide is a quarter of the size (ks.c says what was measured).
 */
#define VALUES_PER_BUCKET 4

BaselineIndex *
baseline_index_build(const float8 *values, int32 n)
{
	BaselineIndex *ix = palloc0(sizeof(BaselineIndex));
	int32		first = 0,
				last = n - 1;
	int32		i;

	ix->n = n;
	ix->values = values;
	while (first < n && isinf(values[first]))
		first++;
	while (last >= 0 && isinf(values[last]))
		last--;
	/* a guide needs a finite range; tiny baselines do not need one */
	if (n < 16 || first >= last || !isfinite(values[last] - values[first]))
		return ix;
	ix->n_buckets = Min(n / VALUES_PER_BUCKET, MAX_BUCKETS);
	ix->lo = values[first];
	ix->scale = (float8) ix->n_buckets / (values[last] - values[first]);
	if (!isfinite(ix->scale) || ix->scale <= 0.0)
	{
		ix->n_buckets = 0;
		return ix;
	}
	ix->start = palloc(sizeof(int32) * (ix->n_buckets + 1));
	i = 0;
	for (int32 b = 0; b <= ix->n_buckets; b++)
	{
		while (i < n && baseline_index_bucket(ix, values[i]) < b)
			i++;
		ix->start[b] = i;
	}
	return ix;
}
