/** Worker thread: analyses one OpenAPI document at a time, reading files through the parent's Tree. */
import { serve } from '../workers/serve.js';
import { analyseDocument } from './analyse.js';

serve<string, unknown>((file, { read }) => analyseDocument(file, read));
