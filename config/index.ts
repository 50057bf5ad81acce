export * from './schema.js';
export * from './load.js';
export * from './topology.js';
export * from './tls.js';
