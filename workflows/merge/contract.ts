/**
 * The contact merge's contract: `merge-<primaryId>` (search attribute ContactId = the primary). Input
 * and result are ids and counts only.
 */
import { searchAttributes } from '../search-attributes';

export interface MergeInput {
  mergeId: string;
  primaryId: string;
}

export interface MergeApplyResult {
  status: 'completed' | 'refused';
  code?: string;
  /** Enrollments the merge ended (MERGED): their workflows are signalled after the commit. */
  endedEnrollmentIds: string[];
}

export interface MergeResult {
  mergeId: string;
  status: 'completed' | 'refused';
  code?: string;
  endedEnrollments: number;
}

export const mergeContract = {
  type: 'mergeContactsWorkflow',
  id: (primaryId: string) => `merge-${primaryId}`,
  searchAttributes: { ContactId: searchAttributes.ContactId },
  actor: (mergeId: string) => `workflow:merge-${mergeId}`,
} as const;
