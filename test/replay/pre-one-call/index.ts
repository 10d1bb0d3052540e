/**
 * The enrollment workflow as it was before a due step became one call (gate check in the send's
 * claim, next step planned by the send: patch `enrollment-step-in-one-call`; commit 1a01058), kept
 * only to run executions on that code in test/sequences/replay-local-steps.test.ts (the
 * enrollment-local-steps history, and one that starts here and finishes on today's code).
 */
export { enrollmentWorkflow } from './workflow';
