import { useParams } from '@tanstack/react-router';
import { ArticleEditor } from '../modules/knowledge/components/ArticleEditor';
import { KnowledgeBaseView } from '../modules/knowledge/components/KnowledgeBaseView';

/** /knowledge: the knowledge base. */
export function KnowledgePage() {
  return <KnowledgeBaseView />;
}

/** /knowledge/$id: an article's editor ("new" for a new one). */
export function ArticleEditorPage() {
  const { id } = useParams({ strict: false }) as { id: string };
  return <ArticleEditor key={id} id={id} />;
}
