export * from './certificates.js';
export * from './distinguished-name.js';
export * from './inspect.js';
export * from './files.js';
