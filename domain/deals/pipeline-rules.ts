/**
 * The rules a pipeline's stages must satisfy, evaluated all at once so a save names every problem
 * (RULES.md "stage rules"): names within the length limit, unique per pipeline (case-insensitive),
 * exactly one Won and one Lost stage, stable ids that belong to the pipeline.
 */
import type { ReasonCode } from '../reason-codes';
import type { StageKind } from './vocabulary';

/** The longest stage name (characters, after trimming); a Kanban column header still fits. */
export const STAGE_NAME_MAX_LENGTH = 50;
export const MAX_STAGES = 30;

export interface StageInput {
  id?: string;
  name: string;
  probability: number;
  kind: StageKind;
}

export interface PipelineProblem {
  /** Where, as the client sent it: `body.stages.2.name`. */
  path: string;
  problem: string;
  code?: ReasonCode;
}

/** Every problem of an ordered stage list; `knownIds` are the ids the pipeline already has (absent on create). */
export function validateStages(stages: readonly StageInput[], knownIds?: ReadonlySet<string>): PipelineProblem[] {
  const problems: PipelineProblem[] = [];
  const firstByName = new Map<string, number>();
  const seenIds = new Set<string>();
  stages.forEach((stage, i) => {
    const name = stage.name.trim();
    if (name.length > STAGE_NAME_MAX_LENGTH) {
      problems.push({ path: `body.stages.${i}.name`, problem: `is ${name.length} characters long; the maximum is ${STAGE_NAME_MAX_LENGTH}`, code: 'STAGE_NAME_TOO_LONG' });
    }
    const key = name.toLocaleLowerCase('en-US');
    const first = firstByName.get(key);
    if (first === undefined) firstByName.set(key, i);
    else problems.push({ path: `body.stages.${i}.name`, problem: `"${name}" repeats the name of stage ${first} (names are compared case-insensitively)`, code: 'STAGE_NAME_DUPLICATE' });
    if (stage.id !== undefined) {
      if (knownIds === undefined) problems.push({ path: `body.stages.${i}.id`, problem: 'a new pipeline has no stage ids yet; leave id out' });
      else if (!knownIds.has(stage.id)) problems.push({ path: `body.stages.${i}.id`, problem: 'is not a stage of this pipeline' });
      else if (seenIds.has(stage.id)) problems.push({ path: `body.stages.${i}.id`, problem: 'appears twice' });
      seenIds.add(stage.id);
    }
  });
  for (const kind of ['won', 'lost'] as const) {
    const count = stages.filter((s) => s.kind === kind).length;
    if (count !== 1) {
      problems.push({ path: 'body.stages', problem: `needs exactly one ${kind} stage, found ${count}`, code: 'PIPELINE_WON_LOST_REQUIRED' });
    }
  }
  return problems;
}
