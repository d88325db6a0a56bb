// SD WebUI backend: typed client (server only), pure recipes/prompt/ControlNet/size helpers, error mapping.
// Browser code must not import this barrel (it pulls in undici); import the pure modules directly instead.
export * from '../../lib/sd/types.ts';
export * from '../../lib/sd/errors.ts';
export * from '../../lib/sd/size.ts';
export * from '../../lib/sd/prompt.ts';
export * from '../../lib/sd/controlnet.ts';
export * from '../../lib/sd/recipes.ts';
export * from './client.ts';
