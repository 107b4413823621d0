import type { DemoDeps, DemoLogin } from '../../platform/modules';
export async function seedKnowledgeDemo(_d: DemoDeps): Promise<DemoLogin | null> { return null; }
