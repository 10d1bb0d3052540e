/** Every workflow the worker registers. Workflow code is deterministic: no I/O, no Node built-ins. */
export { noopWorkflow } from './noop';
export { promotionWorkflow } from './promotion';
export { enrollmentWorkflow } from './enrollment';
export { reconcileStoppedWorkflowsWorkflow } from './reconcile';
