/*
 * categorical_tests.c
 *		Drift tests on categorical data: chi2_drift (and chi2_drift_details
 *		with its degrees of freedom), psi_drift, js_drift, linf_drift and
 *		tvd_drift on text, and the data-integrity aggregate
 *		unseen_category_share.
 *
 *	test(value text, 'baseline', 'column' [, fill])	streaming aggregate
 *	test(value text, profile [, fill])					streaming aggregate
 *	test(baseline_profile, current_profile)				profiles (chi2, linf, tvd;
 *														psi and js through
 *														categorical_profiles_result)
 *	test(baseline text[], current text[] [, fill])		raw samples
 *
 * proportion_z_drift (SPEC.md section 9) is one more statistic of the same
 * union, defined for at most two categories; its numeric forms are in
 * src/model/model_tests.c.
 *
 * Every statistic is computed over the union of the two samples' categories
 * in bytewise (COLLATE "C") order, as the reference does; stats/
 * categorical_stats.c has the formulas.  The streaming aggregates count rows
 * per baseline category in a drift_category_state (category_state.h), which
 * also keeps the exact counts of categories the baseline never saw: they are
 * columns of the chi-square table and terms of PSI, JS, L-infinity and TVD.
 * unseen_category_share needs only seen / unseen counts, so its state is a
 * two-slot drift_stream_state.
 */
#include "postgres.h"
#include "core/compat.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "core/pg_drift.h"
#include "utils/array.h"
#include "utils/arrayaccess.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "core/call_site.h"
#include "core/options.h"
#include "drift/categorical_tests.h"
#include "drift/category_state.h"
#include "drift/category_table.h"
#include "core/drift_result.h"
#include "stats/categorical_stats.h"
#include "stats/proportion_z.h"
#include "drift/stream_state.h"

PG_FUNCTION_INFO_V1(categorical_named_trans);
PG_FUNCTION_INFO_V1(categorical_profile_trans);
PG_FUNCTION_INFO_V1(chi2_drift_final);
PG_FUNCTION_INFO_V1(chi2_drift_details_final);
PG_FUNCTION_INFO_V1(psi_drift_categorical_final);
PG_FUNCTION_INFO_V1(js_drift_categorical_final);
PG_FUNCTION_INFO_V1(linf_drift_final);
PG_FUNCTION_INFO_V1(tvd_drift_final);
PG_FUNCTION_INFO_V1(proportion_z_drift_text_final);
PG_FUNCTION_INFO_V1(chi2_drift_profiles);
PG_FUNCTION_INFO_V1(chi2_drift_details_profiles);
PG_FUNCTION_INFO_V1(linf_drift_profiles);
PG_FUNCTION_INFO_V1(tvd_drift_profiles);
PG_FUNCTION_INFO_V1(chi2_drift_arrays);
PG_FUNCTION_INFO_V1(chi2_drift_details_arrays);
PG_FUNCTION_INFO_V1(psi_drift_categorical_arrays);
PG_FUNCTION_INFO_V1(js_drift_categorical_arrays);
PG_FUNCTION_INFO_V1(linf_drift_arrays);
PG_FUNCTION_INFO_V1(tvd_drift_arrays);
PG_FUNCTION_INFO_V1(proportion_z_drift_text_arrays);
PG_FUNCTION_INFO_V1(unseen_share_named_trans);
PG_FUNCTION_INFO_V1(unseen_share_profile_trans);
PG_FUNCTION_INFO_V1(unseen_category_share_final);

/* Counts of two samples over the union of their categories, in bytewise order. */
typedef struct CategoryUnion
{
	int64		k;				/* categories in the union */
	int64	   *cb;				/* baseline counts */
	int64	   *cc;				/* current counts */
	int64		nb;				/* baseline total */
	int64		nc;				/* current total */
} CategoryUnion;

static const char *
stat_name(CategoricalStat stat)
{
	switch (stat)
	{
		case CAT_STAT_CHI2:
			return "chi2_drift";
		case CAT_STAT_CHI2_DETAILS:
			return "chi2_drift_details";
		case CAT_STAT_PSI:
			return "psi_drift";
		case CAT_STAT_JS:
			return "js_drift";
		case CAT_STAT_LINF:
			return "linf_drift";
		case CAT_STAT_TVD:
			return "tvd_drift";
		case CAT_STAT_PROPZ:
			return "proportion_z_drift";
	}
	return "categorical drift test";
}

/* The statistic of a union as the function's result; NULL when a sample is empty. */
static Datum
union_result(FunctionCallInfo fcinfo, CategoricalStat stat, const CategoryUnion *u, float8 fill)
{
	double		value;

	if (u->nb == 0 || u->nc == 0)
	{
		fcinfo->isnull = true;
		return (Datum) 0;
	}
	switch (stat)
	{
		case CAT_STAT_CHI2:
			{
				Chi2Result r = cat_chi2(u->cb, u->cc, u->k, u->nb, u->nc);

				return drift_result_make(fcinfo, r.statistic, false, r.p_value, false, u->nb, u->nc);
			}
		case CAT_STAT_CHI2_DETAILS:
			{
				Chi2Result r = cat_chi2(u->cb, u->cc, u->k, u->nb, u->nc);
				TupleDesc	tupdesc;
				Datum		values[5];
				bool		nulls[5] = {false, false, false, false, false};

				if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
					elog(ERROR, "chi2_drift_details must be declared to return chi2_details");
				tupdesc = BlessTupleDesc(tupdesc);
				values[0] = Float8GetDatum(r.statistic);
				values[1] = Float8GetDatum(r.p_value);
				values[2] = Int64GetDatum(r.dof);
				values[3] = Int64GetDatum(u->nb);
				values[4] = Int64GetDatum(u->nc);
				return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
			}
		case CAT_STAT_PSI:
			value = cat_psi(u->cb, u->cc, u->k, u->nb, u->nc, fill);
			break;
		case CAT_STAT_JS:
			value = cat_js(u->cb, u->cc, u->k, u->nb, u->nc);
			break;
		case CAT_STAT_LINF:
			value = cat_linf(u->cb, u->cc, u->k, u->nb, u->nc);
			break;
		case CAT_STAT_PROPZ:
			{
				double		z,
							p;

				/* the share of the second category; the first's is its complement */
				if (u->k > 2)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("proportion_z_drift needs at most two distinct values, found %lld",
									(long long) u->k),
							 errhint("Use chi2_drift or js_drift for more than two values.")));
				proportion_z_test(u->k == 2 ? u->cb[1] : 0, u->nb, u->k == 2 ? u->cc[1] : 0, u->nc,
								  &z, &p);
				return drift_result_make(fcinfo, z, false, p, false, u->nb, u->nc);
			}
		case CAT_STAT_TVD:
		default:
			value = cat_tvd(u->cb, u->cc, u->k, u->nb, u->nc);
			break;
	}
	return drift_result_make(fcinfo, value, false, 0.0, true, u->nb, u->nc);
}

/* Room for k union entries. */
static void
union_alloc(CategoryUnion *u, int64 k)
{
	u->k = 0;
	u->cb = palloc_extended(sizeof(int64) * Max(k, 1), MCXT_ALLOC_HUGE);
	u->cc = palloc_extended(sizeof(int64) * Max(k, 1), MCXT_ALLOC_HUGE);
}

/*
 * The union of two categorical profiles' categories.  with_current_slots:
 * the current counts of b's categories come from slots instead of b (the
 * streaming final: b is then the baseline, a the unseen categories, and
 * slots the per-baseline-category counts); a category in both is then an
 * inconsistency.
 */
static void
union_of_profiles(CategoryUnion *u, const DriftProfile *b, const int64 *b_current_slots,
				  const DriftProfile *c)
{
	const int64 *bc = profile_counts(b);
	const int64 *cc = profile_counts(c);
	int32		i = 0,
				j = 0;

	union_alloc(u, (int64) b->n_entries + c->n_entries);
	u->nb = b->count;
	u->nc = 0;
	while (i < b->n_entries || j < c->n_entries)
	{
		int32		lb = 0,
					lc = 0;
		const char *sb = i < b->n_entries ? profile_category(b, i, &lb) : NULL;
		const char *sc = j < c->n_entries ? profile_category(c, j, &lc) : NULL;
		int			cmp = sb == NULL ? 1 : sc == NULL ? -1 : category_cmp(sb, lb, sc, lc);

		u->cb[u->k] = 0;
		u->cc[u->k] = 0;
		if (cmp <= 0)
		{
			u->cb[u->k] = bc[i];
			if (b_current_slots)
				u->cc[u->k] = b_current_slots[i];
			i++;
		}
		if (cmp >= 0)
		{
			if (b_current_slots && cmp == 0)
				ereport(ERROR,
						(errcode(ERRCODE_DATA_EXCEPTION),
						 errmsg("categorical drift state does not match its baseline"),
						 errdetail("A category counted as unseen is in the baseline."),
						 errhint("Pass the state to the final function of the aggregate that made it.")));
			u->cc[u->k] += cc[j++];
		}
		/* a category with no count in either (an unseen-slot artefact) is not a column */
		if (u->cb[u->k] > 0 || u->cc[u->k] > 0)
		{
			u->nc += u->cc[u->k];
			u->k++;
		}
	}
}

/* See categorical_tests.h. */
Datum
categorical_profiles_result(FunctionCallInfo fcinfo, CategoricalStat stat,
							DriftProfile *baseline, DriftProfile *current, float8 fill)
{
	CategoryUnion u;

	profile_require_categorical(baseline, stat_name(stat));
	profile_require_categorical(current, stat_name(stat));
	union_of_profiles(&u, baseline, NULL, current);
	return union_result(fcinfo, stat, &u, stat == CAT_STAT_PSI ? fill_check(fill, stat_name(stat)) : fill);
}

/* A categorical profile's locator, category -> index (a LocatorBuilder). */
static void *
category_locator_build(const DriftProfile *p)
{
	CategoryTable *t = category_table_create(CurrentMemoryContext, p->n_entries);

	for (int32 i = 0; i < p->n_entries; i++)
	{
		int32		len;
		const char *s = profile_category(p, i, &len);
		bool		found;

		/* the strings stay in the profile, which lives as long as the table */
		category_table_insert(t, s, len, false, &found)->value = i;
	}
	return t;
}

/* Find the baseline's category locator the first time the query meets it. */
static StreamBaseline *
categorical_prepare(StreamBaseline *sb, const char *fname, bool seen_unseen)
{
	if (sb->locator == NULL)
	{
		DriftProfile *p = profile_require_categorical(sb->profile, fname);

		sb->n_slots = seen_unseen ? 2 : p->n_entries + 1;
		sb->locator = baseline_locator(sb, LOCATOR_CATEGORIES, category_locator_build);
	}
	return sb;
}

/* Index of category s among the baseline's, or -1. */
static inline int32
locate(const StreamBaseline *sb, const char *s, int32 len)
{
	CategoryEntry *e = category_table_lookup((const CategoryTable *) sb->locator, s, len);

	return e ? (int32) e->value : -1;
}

/* Count one row into a categorical state (shared by both streaming forms). */
static Datum
categorical_count(FunctionCallInfo fcinfo, StreamBaseline *sb, float8 fill)
{
	CategoryState *cs;
	text	   *t;
	const char *s;
	int32		len;

	if (PG_ARGISNULL(0))
		cs = category_state_create(sb, fill);
	else
	{
		cs = PG_GETARG_CATEGORY_STATE_P(0);
		stream_state_require(category_state_inner(cs), STREAM_TEST_CATEGORICAL,
							 CATEGORICAL_PER_CATEGORY, fill, sb->fingerprint, sb->n_slots,
							 "baseline and zero fill");
	}
	if (PG_ARGISNULL(1))
	{
		stream_state_skip(category_state_inner(cs), true);
		PG_RETURN_POINTER(cs);
	}
	t = PG_GETARG_TEXT_PP(1);
	s = VARDATA_ANY(t);
	len = VARSIZE_ANY_EXHDR(t);
	PG_RETURN_POINTER(category_state_add(cs, locate(sb, s, len), s, len));
}

/*
 * The row's baseline, prepared for the test, and (fill_at > 0) its zero
 * fill: resolved once per query when they are constants.
 */
static CallSite *
categorical_resolve(FunctionCallInfo fcinfo, bool named, int fill_at, const char *fname)
{
	CallSite   *cs = call_site_get(fcinfo);

	if (!cs->resolved)
	{
		categorical_prepare(call_site_baseline(fcinfo, cs, named), fname, fill_at == 0);
		cs->param = fill_at > 0 ? fill_from_arg(fcinfo, fill_at) : 0.0;
		call_site_done(cs);
	}
	return cs;
}

/* Transition of test(value text, baseline name, column [, fill]). */
Datum
categorical_named_trans(PG_FUNCTION_ARGS)
{
	CallSite   *cs;

	cs = categorical_resolve(fcinfo, true, 4, "categorical drift test");
	return categorical_count(fcinfo, cs->sb, cs->param);
}

/* Transition of test(value text, profile [, fill]). */
Datum
categorical_profile_trans(PG_FUNCTION_ARGS)
{
	CallSite   *cs;

	cs = categorical_resolve(fcinfo, false, 3, "categorical drift test");
	return categorical_count(fcinfo, cs->sb, cs->param);
}

/* Final functions: the union of baseline and current categories, then the statistic. */
static Datum
categorical_final(FunctionCallInfo fcinfo, CategoricalStat stat)
{
	CategoryState *cs = category_state_flush(PG_GETARG_CATEGORY_STATE_P(0));
	StreamState *inner = category_state_inner(cs);
	DriftProfile *unseen = category_state_unseen(cs);
	DriftProfile *p;
	int64	   *slots;
	CategoryUnion u;

	stream_state_require_test(inner, STREAM_TEST_CATEGORICAL, CATEGORICAL_PER_CATEGORY,
							  stat_name(stat));
	p = profile_require_categorical(stream_state_baseline(fcinfo, inner), stat_name(stat));
	stream_state_require_slots(inner, p->n_entries + 1, stat_name(stat));
	slots = stream_state_counts(inner);
	if (slots[p->n_entries] != unseen->count)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("%s state is inconsistent", stat_name(stat)),
				 errdetail("The unseen categories do not add up to the unseen count."),
				 errhint("Pass the state to the final function of the aggregate that made it.")));
	union_of_profiles(&u, p, slots, unseen);
	return union_result(fcinfo, stat, &u, inner->param);
}

Datum
chi2_drift_final(PG_FUNCTION_ARGS)
{
	return categorical_final(fcinfo, CAT_STAT_CHI2);
}

Datum
chi2_drift_details_final(PG_FUNCTION_ARGS)
{
	return categorical_final(fcinfo, CAT_STAT_CHI2_DETAILS);
}

Datum
psi_drift_categorical_final(PG_FUNCTION_ARGS)
{
	return categorical_final(fcinfo, CAT_STAT_PSI);
}

Datum
js_drift_categorical_final(PG_FUNCTION_ARGS)
{
	return categorical_final(fcinfo, CAT_STAT_JS);
}

Datum
linf_drift_final(PG_FUNCTION_ARGS)
{
	return categorical_final(fcinfo, CAT_STAT_LINF);
}

Datum
tvd_drift_final(PG_FUNCTION_ARGS)
{
	return categorical_final(fcinfo, CAT_STAT_TVD);
}

Datum
proportion_z_drift_text_final(PG_FUNCTION_ARGS)
{
	return categorical_final(fcinfo, CAT_STAT_PROPZ);
}

/* chi2_drift(baseline drift_profile, current drift_profile). */
Datum
chi2_drift_profiles(PG_FUNCTION_ARGS)
{
	return categorical_profiles_result(fcinfo, CAT_STAT_CHI2, PG_GETARG_DRIFT_PROFILE_P(0),
									   PG_GETARG_DRIFT_PROFILE_P(1), CATEGORICAL_PSI_FILL);
}

/* chi2_drift_details(baseline drift_profile, current drift_profile). */
Datum
chi2_drift_details_profiles(PG_FUNCTION_ARGS)
{
	return categorical_profiles_result(fcinfo, CAT_STAT_CHI2_DETAILS, PG_GETARG_DRIFT_PROFILE_P(0),
									   PG_GETARG_DRIFT_PROFILE_P(1), CATEGORICAL_PSI_FILL);
}

/* linf_drift(baseline drift_profile, current drift_profile). */
Datum
linf_drift_profiles(PG_FUNCTION_ARGS)
{
	return categorical_profiles_result(fcinfo, CAT_STAT_LINF, PG_GETARG_DRIFT_PROFILE_P(0),
									   PG_GETARG_DRIFT_PROFILE_P(1), CATEGORICAL_PSI_FILL);
}

/* tvd_drift(baseline drift_profile, current drift_profile). */
Datum
tvd_drift_profiles(PG_FUNCTION_ARGS)
{
	return categorical_profiles_result(fcinfo, CAT_STAT_TVD, PG_GETARG_DRIFT_PROFILE_P(0),
									   PG_GETARG_DRIFT_PROFILE_P(1), CATEGORICAL_PSI_FILL);
}

/*
 * Count the non-NULL elements of a text[] into table (category -> union
 * index), growing the union; sample 0 is the baseline, 1 the current sample.
 */
static void
count_array(ArrayType *a, CategoryTable *table, CategoryUnion *u, int64 *cap, int sample,
			const char *fname)
{
	array_iter	it;
	int			n;

	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s expects one-dimensional arrays", fname)));
	n = ArrayGetNItems(ARR_NDIM(a), ARR_DIMS(a));
	array_iter_setup(&it, (AnyArrayType *) a);
	for (int i = 0; i < n; i++)
	{
		bool		isnull;
		Datum		d = array_iter_next(&it, &isnull, i, -1, false, TYPALIGN_INT);
		text	   *t;
		CategoryEntry *e;
		bool		found;

		if (isnull)
			continue;
		t = DatumGetTextPP(d);
		e = category_table_insert(table, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), false, &found);
		if (!found)
		{
			if (u->k == *cap)
			{
				*cap *= 2;
				u->cb = repalloc_huge(u->cb, sizeof(int64) * *cap);
				u->cc = repalloc_huge(u->cc, sizeof(int64) * *cap);
			}
			e->value = u->k;
			u->cb[u->k] = 0;
			u->cc[u->k] = 0;
			u->k++;
		}
		if (sample == 0)
		{
			u->cb[e->value]++;
			u->nb++;
		}
		else
		{
			u->cc[e->value]++;
			u->nc++;
		}
	}
}

/* The statistic of two raw text[] samples. */
static Datum
categorical_arrays(FunctionCallInfo fcinfo, CategoricalStat stat, float8 fill)
{
	ArrayType  *a = PG_GETARG_ARRAYTYPE_P(0);
	ArrayType  *b = PG_GETARG_ARRAYTYPE_P(1);
	CategoryTable *table = category_table_create(CurrentMemoryContext, 64);
	CategoryUnion u,
				sorted;
	int64		cap = 64;
	CategoryEntry **order;

	union_alloc(&u, cap);
	u.nb = 0;
	u.nc = 0;
	/* the arrays' text elements outlive the table, so no copies are needed */
	count_array(a, table, &u, &cap, 0, stat_name(stat));
	count_array(b, table, &u, &cap, 1, stat_name(stat));
	/* put the union in bytewise order, as the reference sums it */
	order = category_table_sorted(table);
	union_alloc(&sorted, u.k);
	for (int64 i = 0; i < u.k; i++)
	{
		sorted.cb[i] = u.cb[order[i]->value];
		sorted.cc[i] = u.cc[order[i]->value];
	}
	sorted.k = u.k;
	sorted.nb = u.nb;
	sorted.nc = u.nc;
	return union_result(fcinfo, stat, &sorted, fill);
}

Datum
chi2_drift_arrays(PG_FUNCTION_ARGS)
{
	return categorical_arrays(fcinfo, CAT_STAT_CHI2, CATEGORICAL_PSI_FILL);
}

Datum
chi2_drift_details_arrays(PG_FUNCTION_ARGS)
{
	return categorical_arrays(fcinfo, CAT_STAT_CHI2_DETAILS, CATEGORICAL_PSI_FILL);
}

Datum
psi_drift_categorical_arrays(PG_FUNCTION_ARGS)
{
	return categorical_arrays(fcinfo, CAT_STAT_PSI, fill_from_arg(fcinfo, 2));
}

Datum
js_drift_categorical_arrays(PG_FUNCTION_ARGS)
{
	return categorical_arrays(fcinfo, CAT_STAT_JS, CATEGORICAL_PSI_FILL);
}

Datum
linf_drift_arrays(PG_FUNCTION_ARGS)
{
	return categorical_arrays(fcinfo, CAT_STAT_LINF, CATEGORICAL_PSI_FILL);
}

Datum
tvd_drift_arrays(PG_FUNCTION_ARGS)
{
	return categorical_arrays(fcinfo, CAT_STAT_TVD, CATEGORICAL_PSI_FILL);
}

Datum
proportion_z_drift_text_arrays(PG_FUNCTION_ARGS)
{
	return categorical_arrays(fcinfo, CAT_STAT_PROPZ, CATEGORICAL_PSI_FILL);
}

/*
 * unseen_category_share: slot 0 counts rows whose category the baseline
 * has, slot 1 the others.  Fixed 16 bytes of counts: pushes down on Citus.
 */
static Datum
unseen_share_count(FunctionCallInfo fcinfo, StreamBaseline *sb)
{
	StreamState *s;
	text	   *t;

	if (PG_ARGISNULL(0))
		s = stream_state_create(STREAM_TEST_CATEGORICAL, sb, CATEGORICAL_SEEN_UNSEEN, 0.0);
	else
	{
		s = PG_GETARG_STREAM_STATE_P(0);
		stream_state_require(s, STREAM_TEST_CATEGORICAL, CATEGORICAL_SEEN_UNSEEN, 0.0,
							 sb->fingerprint, sb->n_slots, "baseline");
	}
	if (PG_ARGISNULL(1))
	{
		stream_state_skip(s, true);
		PG_RETURN_POINTER(s);
	}
	t = PG_GETARG_TEXT_PP(1);
	PG_RETURN_POINTER(stream_state_add(s, locate(sb, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)) >= 0 ? 0 : 1));
}

/* Transition of unseen_category_share(value text, baseline name, column). */
Datum
unseen_share_named_trans(PG_FUNCTION_ARGS)
{
	return unseen_share_count(fcinfo, categorical_resolve(fcinfo, true, 0, "unseen_category_share")->sb);
}

/* Transition of unseen_category_share(value text, profile). */
Datum
unseen_share_profile_trans(PG_FUNCTION_ARGS)
{
	return unseen_share_count(fcinfo, categorical_resolve(fcinfo, false, 0, "unseen_category_share")->sb);
}

/* Final: share of non-NULL rows whose category the baseline never saw; NULL without such rows. */
Datum
unseen_category_share_final(PG_FUNCTION_ARGS)
{
	StreamState *s = PG_GETARG_STREAM_STATE_P(0);
	int64	   *counts;

	stream_state_require_test(s, STREAM_TEST_CATEGORICAL, CATEGORICAL_SEEN_UNSEEN,
							  "unseen_category_share");
	/* a named baseline replaced since counting is an error, as in every test */
	(void) profile_require_categorical(stream_state_baseline(fcinfo, s), "unseen_category_share");
	if (s->n_current == 0)
		PG_RETURN_NULL();
	counts = stream_state_counts(s);
	PG_RETURN_FLOAT8((float8) counts[1] / (float8) s->n_current);
}
