/*
 * dataset_check.c
 *		The C parts of the whole-model check (SPEC.md section 9; the check
 *		itself is drift.dataset_drift in src/sql/62_dataset_drift.sql):
 *
 *	drift.choose_test(baseline, current)	the automatic choice of test for one
 *											column, with its reason and u
 *	drift.adjust_p_values(p[], method)		bonferroni / holm / bh over the
 *											non-NULL p-values of one check
 *
 * The choice is Evidently's default rule (DataDriftPreset's stattest
 * selection), made explicit: n = the baseline's non-NULL values, u = the
 * distinct non-NULL values over both samples.
 */
#include "postgres.h"
#include "core/compat.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "profile/profile.h"
#include "stats/p_adjust.h"

PG_FUNCTION_INFO_V1(drift_choose_test);
PG_FUNCTION_INFO_V1(drift_adjust_p_values);

/* Up to this many baseline values the rule picks tests with p-values. */
#define SMALL_SAMPLE 1000

/* Distinct values over both profiles (of one kind): a merge of their sorted entries. */
static int64
union_distinct(const DriftProfile *b, const DriftProfile *c)
{
	int32		i = 0,
				j = 0;
	int64		u = 0;

	while (i < b->n_entries || j < c->n_entries)
	{
		int			cmp;

		if (i == b->n_entries)
			cmp = 1;
		else if (j == c->n_entries)
			cmp = -1;
		else if (b->kind == PROFILE_KIND_NUMERIC)
		{
			float8		x = profile_values(b)[i];
			float8		y = profile_values(c)[j];

			cmp = (x > y) - (x < y);
		}
		else
		{
			int32		lb,
						lc;
			const char *sb = profile_category(b, i, &lb);
			const char *sc = profile_category(c, j, &lc);

			cmp = category_cmp(sb, lb, sc, lc);
		}
		i += cmp <= 0;
		j += cmp >= 0;
		u++;
	}
	return u;
}

/* drift.choose_test(baseline, current) -> (test, reason, distinct_values). */
Datum
drift_choose_test(PG_FUNCTION_ARGS)
{
	DriftProfile *b = PG_GETARG_DRIFT_PROFILE_P(0);
	DriftProfile *c = PG_GETARG_DRIFT_PROFILE_P(1);
	TupleDesc	tupdesc;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	bool		numeric;
	bool		small;
	bool		exact;
	int64		u;
	const char *test;
	const char *why;

	profile_check_usable(b);
	profile_check_usable(c);
	if (b->kind != c->kind)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("cannot choose a test for a numeric profile against a categorical one"),
				 errhint("Profile the current values the way the baseline was profiled.")));
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "drift.choose_test must return a record");
	numeric = b->kind == PROFILE_KIND_NUMERIC;
	small = b->count <= SMALL_SAMPLE;
	exact = profile_is_exact(b) && profile_is_exact(c);
	u = union_distinct(b, c);
	if (numeric && small)
	{
		test = u <= 2 ? "proportion_z" : u <= 5 ? "chi2" : "ks";
		why = u <= 2 ? "at most 2 distinct values" : u <= 5 ? "3 to 5 distinct values, compared as categories" : "more than 5 distinct values";
	}
	else if (numeric)
	{
		test = (u <= 5 && exact) ? "js" : "wasserstein_norm";
		why = (u <= 5 && exact) ? "at most 5 distinct values, compared as categories" : "more than 5 distinct values";
	}
	else if (small)
	{
		test = u > 2 ? "chi2" : "proportion_z";
		why = u > 2 ? "more than 2 categories" : "at most 2 categories";
	}
	else
	{
		test = "js";
		why = "categorical";
	}
	values[0] = CStringGetTextDatum(test);
	values[1] = CStringGetTextDatum(psprintf("%s, %lld baseline values %s 1000, %s%lld distinct values: %s",
											 numeric ? "numeric" : "categorical",
											 (long long) b->count, small ? "<=" : ">",
											 exact ? "" : "at least ", (long long) u, why));
	values[2] = Int64GetDatum(u);
	tupdesc = BlessTupleDesc(tupdesc);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* The correction a name means; an unknown name is an error naming the argument. */
static PAdjustMethod
method_from_name(const char *name)
{
	PAdjustMethod method;

	if (p_adjust_method(name, &method) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown correction \"%s\"", name),
				 errhint("correction must be one of none, bonferroni, holm or bh.")));
	return method;
}

/*
 * drift.adjust_p_values(p float8[], correction text): the adjusted p-values
 * in the same positions; NULL elements stay NULL and are not counted among
 * the tests.  A p-value outside [0, 1] or NaN is an error.
 */
Datum
drift_adjust_p_values(PG_FUNCTION_ARGS)
{
	ArrayType  *a = PG_GETARG_ARRAYTYPE_P(0);
	PAdjustMethod method = method_from_name(text_to_cstring(PG_GETARG_TEXT_PP(1)));
	Datum	   *elems;
	bool	   *isnull;
	int			n;
	int			m = 0;
	double	   *p,
			   *q,
			   *scratch;
	size_t	   *order;
	int			dims[1];
	int			lbs[1] = {1};

	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("p-values must be a one-dimensional array")));
	deconstruct_array(a, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &isnull, &n);
	p = palloc(sizeof(double) * Max(n, 1));
	q = palloc(sizeof(double) * Max(n, 1));
	scratch = palloc(sizeof(double) * Max(n, 1));
	order = palloc(sizeof(size_t) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		double		v;

		if (isnull[i])
			continue;
		v = DatumGetFloat8(elems[i]);
		if (!(v >= 0.0 && v <= 1.0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("p-value %g is not between 0 and 1", v),
					 errhint("Pass p-values, or NULL for a test without one.")));
		p[m++] = v;
	}
	(void) p_adjust(method, p, m, q, order, scratch);
	m = 0;
	for (int i = 0; i < n; i++)
		if (!isnull[i])
			elems[i] = Float8GetDatum(q[m++]);
	dims[0] = n;
	if (n == 0)
		PG_RETURN_ARRAYTYPE_P(construct_empty_array(FLOAT8OID));
	PG_RETURN_ARRAYTYPE_P(construct_md_array(elems, isnull, 1, dims, lbs, FLOAT8OID, sizeof(float8),
											 FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}
