/**
 * The enrollment workflow as it was before its plan and gate checks became local activities (commit
 * 823c340), kept only to record a history of an execution that started on that code and finished on
 * today's (test/sequences/replay-local-reads.test.ts): the patch marker must carry it across.
 */
export { enrollmentWorkflow } from './workflow';
