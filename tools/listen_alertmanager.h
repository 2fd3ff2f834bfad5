/*
 * listen_alertmanager.h
 *		pg_drift_listen --alertmanager URL: post each alert to
 *		Alertmanager's v2 API, retrying until it is taken.
 */
#ifndef LISTEN_ALERTMANAGER_H
#define LISTEN_ALERTMANAGER_H

#include "listen_deliver.h"

extern int	alertmanager_init(const char *base_url, int max_backoff);
extern int	alertmanager_post(const Alert *alert);
extern void alertmanager_repost(const Alert *alert);

#endif							/* LISTEN_ALERTMANAGER_H */
