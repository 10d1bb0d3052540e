/** Every workflow the worker registers. Workflow code is deterministic: no I/O, no Node built-ins. */
export { noopWorkflow } from './noop/workflow';
export { promotionWorkflow } from './promotion/workflow';
export { enrollmentWorkflow } from './enrollment/workflow';
export { reconcileStoppedWorkflowsWorkflow, stoppedWorkflowsReconcilerWorkflow } from './reconcile/workflow';
export { dealAutomationWorkflow } from './deal-automation/workflow';
export { importWorkflow } from './import/workflow';
export { dedupScanWorkflow } from './dedup-scan/workflow';
export { mergeContactsWorkflow } from './merge/workflow';
export { erasureWorkflow } from './erasure/workflow';
export { erasureRetentionSweepWorkflow } from './erasure-retention/workflow';
export { crmSyncWorkflow } from './crm-sync/workflow';
