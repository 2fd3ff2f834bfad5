/*
 * profile_io.c
 *		Text and binary input/output of drift_profile.
 *
 * Text is a JSON object a person can read (and cast to jsonb); binary is a
 * versioned field-by-field encoding.  Both readers reject anything that does
 * not describe a consistent profile (profile_validate), so no malformed
 * input can reach the statistics code.
 */
#include "postgres.h"
#include "core/compat.h"

#include <math.h>

#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/memutils.h"

#include "core/json_reader.h"
#include "profile/profile.h"

PG_FUNCTION_INFO_V1(drift_profile_in);
PG_FUNCTION_INFO_V1(drift_profile_out);
PG_FUNCTION_INFO_V1(drift_profile_recv);
PG_FUNCTION_INFO_V1(drift_profile_send);

/* Largest number of entries a profile may list, so sizes stay below 1 GB. */
#define PROFILE_MAX_ENTRIES ((int32) ((MaxAllocSize - PROFILE_HEADER_SIZE) / 16))

/* Fields of the text form, as read before the profile is assembled. */
typedef struct ProfileText
{
	int			kind;
	bool		exact;
	float8		rank_error;
	bool		has_count;
	int64		count;
	int64		null_count;
	int64		nan_count;
	bool		has_min_max;
	float8		min;
	float8		max;
	float8		mean;
	float8		variance;
	int32		n_values;
	float8	   *values;
	int32		n_counts;
	int64	   *counts;
	int32		n_categories;
	char	  **categories;
	int		   *category_lens;
} ProfileText;

/* Read a JSON array of floats. */
static float8 *
read_float8_array(JsonReader *r, int32 *n)
{
	int32		cap = 16;
	float8	   *out = palloc(sizeof(float8) * cap);

	*n = 0;
	jr_expect(r, '[');
	if (jr_accept(r, ']'))
		return out;
	do
	{
		if (*n >= PROFILE_MAX_ENTRIES)
			jr_error(r, "Too many values");
		if (*n == cap)
		{
			cap *= 2;
			out = repalloc_huge(out, sizeof(float8) * cap);
		}
		out[(*n)++] = jr_float8(r);
	} while (jr_accept(r, ','));
	jr_expect(r, ']');
	return out;
}

/* Read a JSON array of integers. */
static int64 *
read_int64_array(JsonReader *r, int32 *n)
{
	int32		cap = 16;
	int64	   *out = palloc(sizeof(int64) * cap);

	*n = 0;
	jr_expect(r, '[');
	if (jr_accept(r, ']'))
		return out;
	do
	{
		if (*n >= PROFILE_MAX_ENTRIES)
			jr_error(r, "Too many counts");
		if (*n == cap)
		{
			cap *= 2;
			out = repalloc_huge(out, sizeof(int64) * cap);
		}
		out[(*n)++] = jr_int64(r);
	} while (jr_accept(r, ','));
	jr_expect(r, ']');
	return out;
}

/* Read a JSON array of strings. */
static char **
read_string_array(JsonReader *r, int32 *n, int **lens)
{
	int32		cap = 16;
	char	  **out = palloc(sizeof(char *) * cap);

	*lens = palloc(sizeof(int) * cap);
	*n = 0;
	jr_expect(r, '[');
	if (jr_accept(r, ']'))
		return out;
	do
	{
		if (*n >= PROFILE_MAX_ENTRIES)
			jr_error(r, "Too many categories");
		if (*n == cap)
		{
			cap *= 2;
			out = repalloc_huge(out, sizeof(char *) * cap);
			*lens = repalloc_huge(*lens, sizeof(int) * cap);
		}
		out[*n] = jr_string(r, &(*lens)[*n]);
		(*n)++;
	} while (jr_accept(r, ','));
	jr_expect(r, ']');
	return out;
}

/* Parse the JSON object into its fields; structure only, no consistency checks. */
static void
parse_profile_text(JsonReader *r, ProfileText *t)
{
	bool		seen_version = false;

	memset(t, 0, sizeof(*t));
	t->exact = true;
	t->mean = get_float8_nan();
	t->variance = get_float8_nan();
	jr_expect(r, '{');
	if (jr_accept(r, '}'))
		jr_error(r, "Empty object");
	do
	{
		char	   *key = jr_string(r, NULL);

		jr_expect(r, ':');
		if (strcmp(key, "version") == 0)
		{
			if (jr_int64(r) != DRIFT_PROFILE_VERSION)
				jr_error(r, "Unsupported version");
			seen_version = true;
		}
		else if (strcmp(key, "kind") == 0)
		{
			char	   *kind = jr_string(r, NULL);

			if (strcmp(kind, "numeric") == 0)
				t->kind = PROFILE_KIND_NUMERIC;
			else if (strcmp(kind, "categorical") == 0)
				t->kind = PROFILE_KIND_CATEGORICAL;
			else
				jr_error(r, "Kind must be \"numeric\" or \"categorical\"");
		}
		else if (strcmp(key, "exact") == 0)
			t->exact = jr_bool(r);
		else if (strcmp(key, "rank_error") == 0)
			t->rank_error = jr_float8(r);
		else if (strcmp(key, "count") == 0)
		{
			t->count = jr_int64(r);
			t->has_count = true;
		}
		else if (strcmp(key, "null_count") == 0)
			t->null_count = jr_int64(r);
		else if (strcmp(key, "nan_count") == 0)
			t->nan_count = jr_int64(r);
		else if (strcmp(key, "min") == 0)
		{
			t->min = jr_float8(r);
			t->has_min_max = true;
		}
		else if (strcmp(key, "max") == 0)
			t->max = jr_float8(r);
		else if (strcmp(key, "mean") == 0)
			t->mean = jr_float8(r);
		else if (strcmp(key, "variance") == 0)
			t->variance = jr_float8(r);
		else if (strcmp(key, "distinct") == 0)
			(void) jr_int64(r); /* informational; the arrays say it */
		else if (strcmp(key, "values") == 0)
			t->values = read_float8_array(r, &t->n_values);
		else if (strcmp(key, "counts") == 0)
			t->counts = read_int64_array(r, &t->n_counts);
		else if (strcmp(key, "categories") == 0)
			t->categories = read_string_array(r, &t->n_categories, &t->category_lens);
		else
			jr_error(r, psprintf("Unknown key \"%s\"", key));
	} while (jr_accept(r, ','));
	jr_expect(r, '}');
	jr_end(r);
	if (!seen_version)
		jr_error(r, "Missing \"version\"");
	if (t->kind == 0)
		jr_error(r, "Missing \"kind\"");
	if (t->counts == NULL)
		jr_error(r, "Missing \"counts\"");
}

/* Report text that parses but does not describe a consistent profile. */
pg_noreturn static void
inconsistent_text(const char *detail);

static void
inconsistent_text(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type drift_profile"),
			 errdetail("%s", detail),
			 errhint("The text form of drift_profile is the JSON object its output function writes.")));
}

/* Assemble a numeric profile from parsed text. */
static DriftProfile *
numeric_profile_from_text(ProfileText *t)
{
	DriftProfile *p;

	if (t->values == NULL)
		inconsistent_text("A numeric profile needs \"values\".");
	if (t->categories != NULL)
		inconsistent_text("A numeric profile has no \"categories\".");
	if (t->n_values != t->n_counts)
		inconsistent_text("\"values\" and \"counts\" differ in length.");
	for (int32 i = 0; i < t->n_values; i++)
	{
		if (t->values[i] == 0.0)
			t->values[i] = 0.0; /* -0 and 0 are one value */
		if (isnan(t->values[i]))
			inconsistent_text("NaN cannot be a value; NaNs are only counted in \"nan_count\".");
		if (i > 0 && !(t->values[i - 1] < t->values[i]))
			inconsistent_text("\"values\" must be strictly ascending.");
		if (t->counts[i] <= 0)
			inconsistent_text("Every count must be positive.");
	}
	if (t->null_count < 0 || t->nan_count < 0)
		inconsistent_text("NULL and NaN counts cannot be negative.");
	p = profile_make_numeric(t->n_values, t->values, t->counts, t->null_count, t->nan_count);
	if (t->has_count && t->count != p->count)
		inconsistent_text("\"count\" is not the sum of \"counts\".");
	if (t->has_min_max && p->count > 0 && (t->min != p->min || t->max != p->max))
		inconsistent_text("\"min\" and \"max\" do not match \"values\".");
	if (!t->exact)
	{
		/* an approximate profile's moments are not derivable from its entries */
		if (!(t->rank_error > 0.0 && t->rank_error <= 1.0))
			inconsistent_text("An approximate profile needs a \"rank_error\" in (0, 1].");
		if (!t->has_count || !t->has_min_max)
			inconsistent_text("An approximate profile needs \"count\", \"min\" and \"max\".");
		p->flags |= PROFILE_FLAG_APPROXIMATE;
		p->rank_error = t->rank_error;
		p->mean = t->mean;
		p->m2 = t->count > 1 ? t->variance * (double) (t->count - 1) : 0.0;
	}
	else if (t->rank_error != 0.0)
		inconsistent_text("An exact profile has no \"rank_error\".");
	profile_validate(p, VARSIZE(p));
	return p;
}

/*
 * Assemble a categorical profile from parsed text.  The text form lists the
 * categories in ascending bytewise order (as the output function writes
 * them); anything else is rejected rather than silently re-sorted, so that a
 * hand-written profile with a duplicate or misordered category is caught.
 */
static DriftProfile *
categorical_profile_from_text(ProfileText *t)
{
	DriftProfile *p;
	int32	   *lens32;

	if (t->categories == NULL)
		inconsistent_text("A categorical profile needs \"categories\".");
	if (t->values != NULL)
		inconsistent_text("A categorical profile has no \"values\".");
	if (t->n_categories != t->n_counts)
		inconsistent_text("\"categories\" and \"counts\" differ in length.");
	if (t->has_min_max || !isnan(t->mean) || !isnan(t->variance))
		inconsistent_text("A categorical profile has no \"min\", \"max\", \"mean\" or \"variance\".");
	if (t->nan_count != 0)
		inconsistent_text("A categorical profile counts no NaNs.");
	if (!t->exact || t->rank_error != 0.0)
		inconsistent_text("Categorical profiles are always exact.");
	if (t->null_count < 0)
		inconsistent_text("The NULL count cannot be negative.");
	lens32 = palloc(sizeof(int32) * Max(t->n_categories, 1));
	for (int32 i = 0; i < t->n_categories; i++)
	{
		lens32[i] = t->category_lens[i];
		if (i > 0 && category_cmp(t->categories[i - 1], t->category_lens[i - 1],
								  t->categories[i], t->category_lens[i]) >= 0)
			inconsistent_text("\"categories\" must be distinct and in ascending bytewise order (COLLATE \"C\").");
		if (t->counts[i] <= 0)
			inconsistent_text("Every count must be positive.");
	}
	p = profile_make_categorical(t->n_categories, (const char *const *) t->categories, lens32,
								 t->counts, t->null_count);
	if (t->has_count && t->count != p->count)
		inconsistent_text("\"count\" is not the sum of \"counts\".");
	profile_validate(p, VARSIZE(p));
	return p;
}

/* drift_profile text input. */
Datum
drift_profile_in(PG_FUNCTION_ARGS)
{
	char	   *input = PG_GETARG_CSTRING(0);
	JsonReader	r;
	ProfileText t;

	jr_init(&r, input, "drift_profile");
	parse_profile_text(&r, &t);
	if (t.kind == PROFILE_KIND_CATEGORICAL)
		PG_RETURN_DRIFT_PROFILE_P(categorical_profile_from_text(&t));
	PG_RETURN_DRIFT_PROFILE_P(numeric_profile_from_text(&t));
}

/* drift_profile text output: a JSON object. */
Datum
drift_profile_out(PG_FUNCTION_ARGS)
{
	DriftProfile *p = PG_GETARG_DRIFT_PROFILE_P(0);
	StringInfoData buf;
	const int64 *counts;

	profile_check_usable(p);
	counts = profile_counts(p);
	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"version\": %d, \"kind\": \"%s\", \"exact\": %s",
					 p->version,
					 p->kind == PROFILE_KIND_NUMERIC ? "numeric" : "categorical",
					 profile_is_exact(p) ? "true" : "false");
	if (!profile_is_exact(p))
	{
		appendStringInfoString(&buf, ", \"rank_error\": ");
		jw_float8(&buf, p->rank_error);
	}
	appendStringInfo(&buf, ", \"count\": " INT64_FORMAT ", \"null_count\": " INT64_FORMAT,
					 p->count, p->null_count);
	if (p->kind == PROFILE_KIND_NUMERIC)
	{
		const float8 *values = profile_values(p);

		appendStringInfo(&buf, ", \"nan_count\": " INT64_FORMAT ", \"distinct\": %d, \"min\": ",
						 p->nan_count, p->n_entries);
		jw_float8(&buf, p->min);
		appendStringInfoString(&buf, ", \"max\": ");
		jw_float8(&buf, p->max);
		appendStringInfoString(&buf, ", \"mean\": ");
		jw_float8(&buf, p->mean);
		appendStringInfoString(&buf, ", \"variance\": ");
		jw_float8(&buf, p->count > 1 ? p->m2 / (double) (p->count - 1) : get_float8_nan());
		appendStringInfoString(&buf, ", \"values\": [");
		for (int32 i = 0; i < p->n_entries; i++)
		{
			if (i > 0)
				appendStringInfoString(&buf, ", ");
			jw_float8(&buf, values[i]);
		}
		appendStringInfoChar(&buf, ']');
	}
	else
	{
		const int32 *ends = profile_category_ends(p);
		const char *text = profile_category_text(p);
		int32		start = 0;

		appendStringInfo(&buf, ", \"distinct\": %d, \"categories\": [", p->n_entries);
		for (int32 i = 0; i < p->n_entries; i++)
		{
			if (i > 0)
				appendStringInfoString(&buf, ", ");
			jw_string(&buf, text + start, ends[i] - start);
			start = ends[i];
		}
		appendStringInfoChar(&buf, ']');
	}
	appendStringInfoString(&buf, ", \"counts\": [");
	for (int32 i = 0; i < p->n_entries; i++)
		appendStringInfo(&buf, i > 0 ? ", " INT64_FORMAT : INT64_FORMAT, counts[i]);
	appendStringInfoString(&buf, "]}");
	PG_RETURN_CSTRING(buf.data);
}

/*
 * Binary form, in this order: version int8, kind int8, flags int16,
 * n_entries int32, count / null_count / nan_count int64, min / max / mean /
 * m2 / rank_error float8, then per entry: numeric value float8 and count
 * int64; categorical count int64 and the category as int32 length + bytes in
 * the client encoding.
 */
static void
profile_send_into(StringInfo buf, const DriftProfile *p)
{
	const int64 *counts = profile_counts(p);

	pq_sendint8(buf, p->version);
	pq_sendint8(buf, p->kind);
	pq_sendint16(buf, p->flags);
	pq_sendint32(buf, p->n_entries);
	pq_sendint64(buf, p->count);
	pq_sendint64(buf, p->null_count);
	pq_sendint64(buf, p->nan_count);
	pq_sendfloat8(buf, p->min);
	pq_sendfloat8(buf, p->max);
	pq_sendfloat8(buf, p->mean);
	pq_sendfloat8(buf, p->m2);
	pq_sendfloat8(buf, p->rank_error);
	if (p->kind == PROFILE_KIND_NUMERIC)
	{
		const float8 *values = profile_values(p);

		for (int32 i = 0; i < p->n_entries; i++)
		{
			pq_sendfloat8(buf, values[i]);
			pq_sendint64(buf, counts[i]);
		}
	}
	else
	{
		const int32 *ends = profile_category_ends(p);
		const char *text = profile_category_text(p);
		int32		start = 0;

		for (int32 i = 0; i < p->n_entries; i++)
		{
			char	   *conv = pg_server_to_client(text + start, ends[i] - start);
			int			len = (conv == text + start) ? ends[i] - start : (int) strlen(conv);

			pq_sendint64(buf, counts[i]);
			pq_sendint32(buf, len);
			pq_sendbytes(buf, conv, len);
			start = ends[i];
		}
	}
}

/* The binary form as a bytea (used inside aggregate states' binary forms). */
bytea *
profile_send_bytes(const DriftProfile *p)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	profile_send_into(&buf, p);
	return pq_endtypsend(&buf);
}

/* Report a malformed binary profile. */
pg_noreturn static void
invalid_binary(const char *detail);

static void
invalid_binary(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid drift_profile"),
			 errdetail("%s", detail)));
}

/* Header fields of the binary form, as read. */
typedef struct ProfileWireHeader
{
	int			version;
	int			kind;
	int			flags;
	int32		n;
	int64		count;
	int64		null_count;
	int64		nan_count;
	float8		min;
	float8		max;
	float8		mean;
	float8		m2;
	float8		rank_error;
} ProfileWireHeader;

/* Read the numeric entries that follow a header. */
static DriftProfile *
recv_numeric(StringInfo buf, const ProfileWireHeader *h)
{
	int32		n = h->n;
	DriftProfile *p;

	/* the count must be backed by bytes actually present: 16 per numeric entry */
	if ((Size) n * 16 > (Size) (buf->len - buf->cursor))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid drift_profile"),
				 errdetail("The entry count %d does not match the message length.", n)));
	p = (DriftProfile *) palloc0(profile_numeric_size(n));
	SET_VARSIZE(p, profile_numeric_size(n));
	p->version = h->version;
	p->kind = h->kind;
	p->flags = h->flags;
	p->n_entries = n;
	p->count = h->count;
	p->null_count = h->null_count;
	p->nan_count = h->nan_count;
	p->min = h->min;
	p->max = h->max;
	p->mean = h->mean;
	p->m2 = h->m2;
	p->rank_error = h->rank_error;
	for (int32 i = 0; i < n; i++)
	{
		profile_values(p)[i] = pq_getmsgfloat8(buf);
		profile_counts(p)[i] = pq_getmsgint64(buf);
	}
	profile_validate(p, VARSIZE(p));
	/* an exact profile's moments are a function of its entries: derive, do not trust */
	if (profile_is_exact(p))
		profile_compute_moments(profile_values(p), profile_counts(p), n, &p->mean, &p->m2);
	return p;
}

/* One received category, in the server encoding. */
typedef struct WireCategory
{
	char	   *bytes;
	int32		len;
	int64		count;
} WireCategory;

static int
wire_category_cmp(const void *a, const void *b)
{
	const WireCategory *x = (const WireCategory *) a;
	const WireCategory *y = (const WireCategory *) b;

	return category_cmp(x->bytes, x->len, y->bytes, y->len);
}

/*
 * Read the categorical entries that follow a header.  The categories arrive
 * in the client encoding, in the order of the sender's server encoding; after
 * conversion to this server's encoding their bytewise order can differ (two
 * encodings need not order characters alike), so they are sorted again here
 * rather than rejected: a profile sent by one server and received by another
 * with a different encoding stays usable.  Two categories that become equal
 * after conversion are an error (the profile would lose a distinction).
 */
static DriftProfile *
recv_categorical(StringInfo buf, const ProfileWireHeader *h)
{
	int32		n = h->n;
	WireCategory *cats;
	const char **ptrs;
	int32	   *lens;
	int64	   *counts;
	DriftProfile *p;
	bool		sorted = true;

	/* each entry takes at least 12 bytes: count and length */
	if ((Size) n * 12 > (Size) (buf->len - buf->cursor))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid drift_profile"),
				 errdetail("The entry count %d does not match the message length.", n)));
	if (h->flags != 0 || h->rank_error != 0.0)
		invalid_binary("Categorical profiles are always exact.");
	if (h->nan_count != 0)
		invalid_binary("A categorical profile cannot count NaNs.");
	cats = palloc(sizeof(WireCategory) * Max(n, 1));
	for (int32 i = 0; i < n; i++)
	{
		int32		len;
		const char *raw;
		char	   *conv;

		cats[i].count = pq_getmsgint64(buf);
		len = pq_getmsgint(buf, 4);
		if (len < 0 || len > buf->len - buf->cursor)
			invalid_binary("A category has an impossible length.");
		raw = pq_getmsgbytes(buf, len);
		if (memchr(raw, '\0', len) != NULL)
			invalid_binary("A category contains a zero byte.");
		/* converts, or verifies the bytes when no conversion is needed */
		conv = pg_client_to_server(raw, len);
		if (conv == raw)
			cats[i].bytes = pnstrdup(raw, len);
		else
		{
			cats[i].bytes = conv;
			len = strlen(conv);
		}
		cats[i].len = len;
		if (i > 0 && wire_category_cmp(&cats[i - 1], &cats[i]) >= 0)
			sorted = false;
	}
	if (!sorted)
	{
		qsort(cats, n, sizeof(WireCategory), wire_category_cmp);
		for (int32 i = 1; i < n; i++)
			if (wire_category_cmp(&cats[i - 1], &cats[i]) == 0)
				invalid_binary("Two categories are equal (after conversion to the server encoding).");
	}
	ptrs = palloc(sizeof(char *) * Max(n, 1));
	lens = palloc(sizeof(int32) * Max(n, 1));
	counts = palloc(sizeof(int64) * Max(n, 1));
	for (int32 i = 0; i < n; i++)
	{
		ptrs[i] = cats[i].bytes;
		lens[i] = cats[i].len;
		counts[i] = cats[i].count;
		if (counts[i] <= 0)
			invalid_binary("A category's count is not positive.");
	}
	if (h->null_count < 0)
		invalid_binary("A count is negative.");
	p = profile_make_categorical(n, ptrs, lens, counts, h->null_count);
	if (p->count != h->count)
		invalid_binary("The counts do not add up to the total count.");
	profile_validate(p, VARSIZE(p));
	return p;
}

/* Read one binary-form profile from buf, validating everything. */
DriftProfile *
profile_recv_buffer(StringInfo buf)
{
	ProfileWireHeader h;

	h.version = pq_getmsgint(buf, 1);
	h.kind = pq_getmsgint(buf, 1);
	h.flags = pq_getmsgint(buf, 2);
	h.n = pq_getmsgint(buf, 4);
	if (h.version != DRIFT_PROFILE_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid drift_profile"),
				 errdetail("Unsupported format version %d.", h.version)));
	if (h.kind != PROFILE_KIND_NUMERIC && h.kind != PROFILE_KIND_CATEGORICAL)
		invalid_binary("Unknown profile kind.");
	if (h.n < 0 || h.n > PROFILE_MAX_ENTRIES || 64 > buf->len - buf->cursor)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid drift_profile"),
				 errdetail("The entry count %d does not match the message length.", h.n)));
	h.count = pq_getmsgint64(buf);
	h.null_count = pq_getmsgint64(buf);
	h.nan_count = pq_getmsgint64(buf);
	h.min = pq_getmsgfloat8(buf);
	h.max = pq_getmsgfloat8(buf);
	h.mean = pq_getmsgfloat8(buf);
	h.m2 = pq_getmsgfloat8(buf);
	h.rank_error = pq_getmsgfloat8(buf);
	if (h.kind == PROFILE_KIND_NUMERIC)
		return recv_numeric(buf, &h);
	return recv_categorical(buf, &h);
}

/* drift_profile binary input. */
Datum
drift_profile_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	DriftProfile *p = profile_recv_buffer(buf);

	if (buf->cursor != buf->len)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid drift_profile"),
				 errdetail("The message has %d bytes after the profile.", buf->len - buf->cursor)));
	PG_RETURN_DRIFT_PROFILE_P(p);
}

/* drift_profile binary output. */
Datum
drift_profile_send(PG_FUNCTION_ARGS)
{
	DriftProfile *p = PG_GETARG_DRIFT_PROFILE_P(0);

	profile_check_usable(p);
	PG_RETURN_BYTEA_P(profile_send_bytes(p));
}
