/** Worker thread: analyses one OpenAPI document at a time, reading files through the parent's Tree. */
import { serve } from '../workers/serve.js';
import { analyseDocument } from './analyse.js';

// A worker may start before its documents are known (prestartAnalysisWorker): load what the
// analysis of an OpenAPI 2.0 or 3.0 document needs meanwhile (importing twice is free)
void Promise.all([import('@apidevtools/swagger-parser'), import('./rules.js'), import('js-yaml')]).catch(() => undefined);

serve<string, unknown>((file, { read }) => analyseDocument(file, read));
