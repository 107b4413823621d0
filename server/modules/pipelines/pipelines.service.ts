import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { z } from 'zod';
import type {
  CreatePipelineRequest,
  PipelineSchema,
  StageInput as StageInputSchema,
  StageKind as StageKindSchema,
  StageSchema,
} from '../../../common/contracts/sales';
import type { Tx } from '../../platform/db/database';
import { isPgError } from '../../platform/db/pg-errors';
import { AppError, type FieldError } from '../../platform/http/errors';
import { SCHEMA_CHANNEL } from '../../platform/records/custom-fields.service';
import type { SelectOption } from '../../platform/records/types';

export type StageKind = z.infer<typeof StageKindSchema>;
export type Stage = z.infer<typeof StageSchema>;
export type Pipeline = z.infer<typeof PipelineSchema>;
export type StageInput = z.infer<typeof StageInputSchema>;
export type PipelineInput = z.infer<typeof CreatePipelineRequest>;

interface StageRow {
  id: string;
  pipeline_id: string;
  name: string;
  position: number;
  probability: string;
  kind: StageKind;
}

const presentStage = (r: StageRow): Stage => ({
  id: r.id,
  pipelineId: r.pipeline_id,
  name: r.name,
  position: r.position,
  probability: Number(r.probability),
  kind: r.kind,
});

/** Every pipeline of the workspace with its stages in order (default pipeline first). */
export async function listPipelines(tx: Tx): Promise<Pipeline[]> {
  const { rows: pipelines } = await sql<{
    id: string;
    name: string;
    position: number;
    is_default: boolean;
    created_at: Date;
    updated_at: Date;
  }>`select id, name, position, is_default, created_at, updated_at from pipelines
     order by is_default desc, position, created_at`.execute(tx);
  const { rows: stages } = await sql<StageRow>`
    select id, pipeline_id, name, position, probability, kind from pipeline_stages order by position, id`.execute(tx);
  return pipelines.map((p) => ({
    id: p.id,
    name: p.name,
    position: p.position,
    isDefault: p.is_default,
    stages: stages.filter((s) => s.pipeline_id === p.id).map(presentStage),
    createdAt: p.created_at.toISOString(),
    updatedAt: p.updated_at.toISOString(),
  }));
}

export async function getPipeline(tx: Tx, id: string): Promise<Pipeline> {
  const found = (await listPipelines(tx)).find((p) => p.id === id);
  if (!found) throw new AppError('not_found', 'Pipeline not found');
  return found;
}

/** One stage, or undefined. */
export async function findStage(tx: Tx, stageId: string): Promise<Stage | undefined> {
  const { rows } = await sql<StageRow>`
    select id, pipeline_id, name, position, probability, kind from pipeline_stages where id = ${stageId}`.execute(tx);
  return rows[0] ? presentStage(rows[0]) : undefined;
}

/** The stages of one pipeline, in order. */
export async function stagesOf(tx: Tx, pipelineId: string): Promise<Stage[]> {
  const { rows } = await sql<StageRow>`
    select id, pipeline_id, name, position, probability, kind from pipeline_stages
    where pipeline_id = ${pipelineId} order by position, id`.execute(tx);
  return rows.map(presentStage);
}

export async function defaultPipelineId(tx: Tx): Promise<string | undefined> {
  const { rows } = await sql<{ id: string }>`
    select id from pipelines order by is_default desc, position, created_at limit 1`.execute(tx);
  return rows[0]?.id;
}

/** Options of opportunities.pipelineId and .stageId (stages grouped by their pipeline's id). */
export async function pipelineOptions(tx: Tx): Promise<Record<string, SelectOption[]>> {
  const pipelines = await listPipelines(tx);
  return {
    pipelineId: pipelines.map((p) => ({ value: p.id, label: p.name, meta: { isDefault: p.isDefault } })),
    stageId: pipelines.flatMap((p) =>
      p.stages.map((s) => ({
        value: s.id,
        label: s.name,
        group: p.id,
        meta: { pipelineId: p.id, pipeline: p.name, probability: s.probability, kind: s.kind },
      })),
    ),
  };
}

function checkStages(stages: StageInput[]): FieldError[] {
  const errors: FieldError[] = [];
  const names = new Set<string>();
  stages.forEach((s, i) => {
    const key = s.name.trim().toLowerCase();
    if (names.has(key)) errors.push({ path: `stages.${i}.name`, message: 'is used by another stage of this pipeline' });
    names.add(key);
  });
  for (const kind of ['open', 'won', 'lost'] as const) {
    if (!stages.some((s) => s.kind === kind))
      errors.push({ path: 'stages', message: `a pipeline needs at least one ${kind} stage` });
  }
  return errors;
}

const defaultProbability = (s: StageInput) => s.probability ?? (s.kind === 'won' ? 100 : s.kind === 'lost' ? 0 : 10);

async function notify(tx: Tx) {
  await sql`select pg_notify(${SCHEMA_CHANNEL}, rapport_workspace()::text)`.execute(tx);
}

async function setDefault(tx: Tx, id: string) {
  await sql`update pipelines set is_default = false, updated_at = now() where is_default and id <> ${id}`.execute(tx);
  await sql`update pipelines set is_default = true, updated_at = now() where id = ${id}`.execute(tx);
}

/** Creates a pipeline with its stages (in the given order). The caller drops the schema cache after commit. */
export async function createPipeline(tx: Tx, workspaceId: string, input: PipelineInput): Promise<Pipeline> {
  const errors = checkStages(input.stages);
  if (errors.length) throw new AppError('validation_failed', 'Invalid pipeline', { errors });
  const id = uuidv7();
  const { rows } = await sql<{ n: number }>`select coalesce(max(position), -1) + 1 as n from pipelines`.execute(tx);
  try {
    await sql`insert into pipelines (workspace_id, id, name, position) values (${workspaceId}, ${id}, ${input.name.trim()}, ${rows[0]?.n ?? 0})`.execute(
      tx,
    );
  } catch (err) {
    throw nameTaken(err);
  }
  for (const [i, s] of input.stages.entries()) {
    await sql`insert into pipeline_stages (workspace_id, pipeline_id, id, name, position, probability, kind)
      values (${workspaceId}, ${id}, ${uuidv7()}, ${s.name.trim()}, ${i}, ${defaultProbability(s)}, ${s.kind})`.execute(
      tx,
    );
  }
  if (input.isDefault) await setDefault(tx, id);
  await notify(tx);
  return getPipeline(tx, id);
}

function nameTaken(err: unknown): unknown {
  if (isPgError(err, 'uniqueViolation')) {
    return new AppError('already_exists', 'Another pipeline has this name', {
      errors: [{ path: 'name', message: 'is used by another pipeline' }],
    });
  }
  return err;
}

async function opportunitiesIn(tx: Tx, column: 'stage_id' | 'pipeline_id', id: string): Promise<number> {
  const { rows } = await sql<{ n: string }>`
    select count(*) as n from opportunities where ${sql.ref(column)} = ${id}`.execute(tx);
  return Number(rows[0]?.n ?? 0);
}

/**
 * Renames, reorders, adds and removes stages (`stages` is the whole new list; existing
 * stages keep their id). A stage holding opportunities (live or in the trash) cannot be
 * removed or change kind: move them first.
 */
export async function updatePipeline(
  tx: Tx,
  workspaceId: string,
  id: string,
  input: Partial<PipelineInput>,
): Promise<Pipeline> {
  const current = await getPipeline(tx, id);
  await sql`select 1 from pipelines where id = ${id} for update`.execute(tx);
  if (input.name !== undefined) {
    try {
      await sql`update pipelines set name = ${input.name.trim()}, updated_at = now() where id = ${id}`.execute(tx);
    } catch (err) {
      throw nameTaken(err);
    }
  }
  if (input.isDefault === true) await setDefault(tx, id);
  if (input.isDefault === false && current.isDefault) {
    throw new AppError('validation_failed', 'Make another pipeline the default instead', {
      errors: [{ path: 'isDefault', message: 'one pipeline is always the default' }],
    });
  }
  if (input.stages) {
    const errors = checkStages(input.stages);
    const byId = new Map(current.stages.map((s) => [s.id, s]));
    for (const [i, s] of input.stages.entries()) {
      if (s.id && !byId.has(s.id)) errors.push({ path: `stages.${i}.id`, message: 'is not a stage of this pipeline' });
    }
    if (errors.length) throw new AppError('validation_failed', 'Invalid pipeline', { errors });
    const kept = new Set(input.stages.map((s) => s.id).filter(Boolean));
    for (const old of current.stages) {
      const next = input.stages.find((s) => s.id === old.id);
      const changesKind = next && next.kind !== old.kind;
      if ((!kept.has(old.id) || changesKind) && (await opportunitiesIn(tx, 'stage_id', old.id)) > 0) {
        throw new AppError(
          'conflict',
          `Stage "${old.name}" holds opportunities: move them to another stage before ${changesKind ? 'changing its kind' : 'removing it'}`,
          { errors: [{ path: 'stages', message: `stage ${old.id} holds opportunities` }] },
        );
      }
    }
    await sql`delete from pipeline_stages where pipeline_id = ${id} and not (id = any(${[...kept]}::text[]))`.execute(
      tx,
    );
    for (const [i, s] of input.stages.entries()) {
      if (s.id) {
        await sql`update pipeline_stages set name = ${s.name.trim()}, position = ${i},
          probability = ${defaultProbability(s)}, kind = ${s.kind} where id = ${s.id}`.execute(tx);
      } else {
        await sql`insert into pipeline_stages (workspace_id, pipeline_id, id, name, position, probability, kind)
          values (${workspaceId}, ${id}, ${uuidv7()}, ${s.name.trim()}, ${i}, ${defaultProbability(s)}, ${s.kind})`.execute(
          tx,
        );
      }
    }
    await sql`update pipelines set updated_at = now() where id = ${id}`.execute(tx);
  }
  await notify(tx);
  return getPipeline(tx, id);
}

/** Deletes a pipeline that holds no opportunity and is not the default. */
export async function deletePipeline(tx: Tx, id: string): Promise<void> {
  const current = await getPipeline(tx, id);
  if (current.isDefault)
    throw new AppError('conflict', 'The default pipeline cannot be deleted; make another the default first');
  if ((await opportunitiesIn(tx, 'pipeline_id', id)) > 0) {
    throw new AppError('conflict', 'This pipeline holds opportunities (live or in the trash): move them first');
  }
  await sql`delete from pipelines where id = ${id}`.execute(tx);
  await notify(tx);
}
