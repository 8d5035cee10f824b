export * from './env';
export * from './envelope';
export * from './events';
export * from './metrics';
export * from './secrets';
export * from './signature';
