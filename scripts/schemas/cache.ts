// Placeholder until the schema cache builder lands (issue 2): ensureSchemaCache builds .cache/schemas.
import { warn } from '../lib/progress.ts';

export async function ensureSchemaCache(): Promise<void> {
  warn('schema cache builder not implemented yet');
}
