// SD WebUI backend: typed client (server only), pure recipes/prompt/ControlNet/size helpers, error mapping.
// Browser code must not import this barrel (it pulls in undici); import the pure modules directly instead.
export * from './types.ts';
export * from './errors.ts';
export * from './size.ts';
export * from './prompt.ts';
export * from './controlnet.ts';
export * from './recipes.ts';
export * from './client.ts';
