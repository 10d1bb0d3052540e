/**
 * What `npm run cluster` builds and runs, pinned in one place (docker-compose.yml must agree; a test
 * checks it). Each is built from the Go module proxy with the machine's Go (`GOTOOLCHAIN=local`):
 * later patch releases need a newer Go than Debian's image ships, so bump with care.
 */
export const TEMPORAL_SERVER_MODULE = 'go.temporal.io/server';
/** The multi-service server and its schema tool come from the same module version. */
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
export const UI_SERVER_MODULE = 'github.com/temporalio/ui-server/v2';
/** The standalone Web UI; v2.54.1 is the UI the pinned `temporal` CLI embeds, and builds with Go 1.26.8. */
export const UI_SERVER_VERSION = 'v2.54.1';

/**
 * History shards of the cluster `npm run cluster` runs on one machine. Fixed when the `temporal`
 * database is first used: changing it needs a fresh database. 4 suits 2 history processes on a
 * few cores (each shard has its own queues and DB polling); docker-compose.yml uses a production value.
 */
export const CLUSTER_HISTORY_SHARDS = 4;
/** The production value in docker-compose.yml: room to grow to many history hosts, cheap on PostgreSQL. */
export const PRODUCTION_HISTORY_SHARDS = 512;

/** Workflow retention of the namespace the launcher registers. */
export const NAMESPACE_RETENTION_HOURS = 72;
