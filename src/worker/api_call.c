/*
 * api_call.c
 *		How the monitor API reaches what ordinary roles may not touch.
 *
 * Ordinary roles may not write drift.monitors directly, nor execute the
 * internal functions (drift._*): a direct UPDATE could set a filter that no
 * validation saw, and an internal function (a run without its checks, the
 * owner switch) is only safe inside the API.  Yet the API must work for
 * them.  An invoker's-rights function cannot call a function its caller may
 * not execute, and a SECURITY DEFINER function cannot tell who called it.
 *
 * So each such API function, drift.F(args), is this one C function.  It
 * notes the caller (GetUserId(), before anything changes it), switches to
 * the owner of the API function -- the extension's owner, who owns the
 * catalog tables -- as pg_cron writes its tables, and calls the internal
 * implementation drift._api_F(caller oid, args), whose first duty is to
 * authorize that caller.  The implementation is reached through fmgr, not
 * SQL, so PUBLIC needs no EXECUTE on it; nobody can call it with a caller
 * of their choosing.  The switch uses SECURITY_LOCAL_USERID_CHANGE, so
 * nothing inside can SET ROLE; the owner's own code never runs at this
 * level: it runs only in owner_query.c, switched to the owner.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/value.h"
#include "parser/parse_func.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

PG_FUNCTION_INFO_V1(drift_api_call);

/* What an API function resolves to, cached for the life of its FmgrInfo. */
typedef struct ApiTarget
{
	Oid			definer;		/* owner of the API function */
	FmgrInfo	impl;			/* drift._api_<name>(caller oid, args...) */
} ApiTarget;

/* Find drift._api_<name>(oid, <the API function's argument types>). */
static ApiTarget *
resolve_target(FmgrInfo *flinfo)
{
	HeapTuple	tup;
	Form_pg_proc proc;
	Oid			argtypes[FUNC_MAX_ARGS];
	char	   *nsp;
	char	   *name;
	Oid			impl;
	ApiTarget  *target;

	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(flinfo->fn_oid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for function %u", flinfo->fn_oid);
	proc = (Form_pg_proc) GETSTRUCT(tup);
	if (proc->pronargs + 1 > FUNC_MAX_ARGS)
		elog(ERROR, "too many arguments for an API function");
	argtypes[0] = OIDOID;
	memcpy(&argtypes[1], proc->proargtypes.values, proc->pronargs * sizeof(Oid));
	nsp = get_namespace_name(proc->pronamespace);
	name = psprintf("_api_%s", NameStr(proc->proname));
	impl = LookupFuncName(list_make2(makeString(nsp), makeString(name)),
						  proc->pronargs + 1, argtypes, false);
	target = MemoryContextAlloc(flinfo->fn_mcxt, sizeof(ApiTarget));
	target->definer = proc->proowner;
	fmgr_info_cxt(impl, &target->impl, flinfo->fn_mcxt);
	ReleaseSysCache(tup);
	return target;
}

/*
 * drift.F(args): call drift._api_F(caller, args) as the extension owner.
 * Sets (SETOF functions) pass through: the implementation fills this call's
 * ReturnSetInfo in materialize mode.
 */
Datum
drift_api_call(PG_FUNCTION_ARGS)
{
	ApiTarget  *target = (ApiTarget *) fcinfo->flinfo->fn_extra;
	LOCAL_FCINFO(inner, FUNC_MAX_ARGS);
	Oid			caller = GetUserId();
	Oid			save_userid;
	int			save_sec;
	Datum		result;
	int			i;

	if (target == NULL)
		fcinfo->flinfo->fn_extra = target = resolve_target(fcinfo->flinfo);

	InitFunctionCallInfoData(*inner, &target->impl, fcinfo->nargs + 1,
							 fcinfo->fncollation, NULL, fcinfo->resultinfo);
	inner->args[0].value = ObjectIdGetDatum(caller);
	inner->args[0].isnull = false;
	for (i = 0; i < fcinfo->nargs; i++)
		inner->args[i + 1] = fcinfo->args[i];

	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(target->definer, save_sec | SECURITY_LOCAL_USERID_CHANGE);
	/* on error, the (sub)transaction abort restores the user */
	result = FunctionCallInvoke(inner);
	SetUserIdAndSecContext(save_userid, save_sec);
	fcinfo->isnull = inner->isnull;
	return result;
}
