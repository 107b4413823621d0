import { defineModule } from '../../platform/modules';
import { pipelineRoutes } from './pipelines.routes';

export {
  defaultPipelineId,
  findStage,
  listPipelines,
  type Pipeline,
  pipelineOptions,
  type Stage,
  type StageKind,
  stagesOf,
} from './pipelines.service';

/** Sales pipelines and their stages (the opportunities' stage options). */
export const pipelinesModule = defineModule({
  name: 'pipelines',
  routes: pipelineRoutes,
});
