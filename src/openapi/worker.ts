/** Worker thread: analyses one OpenAPI document at a time, reading files through the parent's Tree. */
import { serve } from '../workers/serve.js';
import { analyseDocument } from './analyse.js';

// No loading ahead of the first job here (as the lint worker does): on Node 20.20, importing
// swagger-parser, js-yaml and the rules at once while a job imports them breaks Node's module
// loader ("Cannot read properties of undefined (reading 'getStatus')" in getModuleJobForRequire).
serve<string, unknown>((file, { read }) => analyseDocument(file, read));
