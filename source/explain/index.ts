export { catalogue, explain, failureModeIds } from './catalogue.js';
export type { ExplainContext, FailureMode } from './types.js';
